/* SPDX-License-Identifier: LGPL-2.1 */
#ifndef _DAXPIN_PRIVATE_H_
#define _DAXPIN_PRIVATE_H_

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Make room for one more element in a growable array: returns a pointer to
 * the zeroed new slot (at index *nr, *nr incremented) or NULL on ENOMEM.
 */
void *daxpin_array_add(void **arr, size_t *nr, size_t *alloc, size_t size);

#define array_add(arrp, nrp, allocp) \
	daxpin_array_add((void **)(arrp), (nrp), (allocp), sizeof(**(arrp)))

#endif /* _DAXPIN_PRIVATE_H_ */
