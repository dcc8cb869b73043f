// SPDX-License-Identifier: GPL-2.0
/*
 * daxpinctl policy show|set|reset and daxpinctl metrics: through daxpind's
 * control socket. "set" is a runtime change (daxpind's
 * /run/daxpin/daxpind.conf.d/99-runtime.conf) unless --persist, which also
 * writes the key to a drop-in under /etc/daxpin/daxpind.conf.d.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "render-daemon.h"

#define ETC_DROPIN_DIR	"/etc/daxpin/daxpind.conf.d"
#define ETC_DROPIN_ENV	"DAXPIN_DROPIN_DIR"
#define PERSIST_FILE	"90-daxpinctl.conf"

static const char policy_usage[] =
	"daxpinctl policy [show] [--json]\n"
	"       daxpinctl policy set KEY=VALUE [--mount=M|--device=D|--section=S] [--persist] [--json]\n"
	"       daxpinctl policy reset [KEY] [--mount=M|--device=D|--section=S] [--persist] [--json]";

static const char *dropin_dir(void)
{
	const char *d = getenv(ETC_DROPIN_ENV);

	return d && d[0] ? d : ETC_DROPIN_DIR;
}

static int print_policy(struct daxpinctl_opts *opts, struct json_object *reply,
			const char *note)
{
	struct json_object *doc;
	char why[256];
	int rc = daemon_policy_doc(reply, &doc, why, sizeof(why));

	json_object_put(reply);
	if (rc)
		return daxpinctl_daemon_error(opts, rc, why);
	if (opts->json)
		return daxpinctl_print_json(opts, doc);
	if (note)
		printf("%s\n", note);
	else
		render_policy(stdout, doc);
	json_object_put(doc);
	return DAXPINCTL_EXIT_OK;
}

static struct json_object *request(const char *cmd)
{
	struct json_object *r = json_object_new_object();

	if (r)
		json_object_object_add(r, "cmd", json_object_new_string(cmd));
	return r;
}

static int send_set(struct daxpinctl_opts *opts, const char *section,
		    const char *key, const char *value,
		    struct json_object **reply)
{
	struct json_object *req = request("set");

	if (req) {
		json_object_object_add(req, "section",
				       json_object_new_string(section));
		json_object_object_add(req, "key", json_object_new_string(key));
		json_object_object_add(req, "value", value ?
				       json_object_new_string(value) : NULL);
	}
	return daxpinctl_daemon(opts, req, reply);
}

static bool same_section(const char *line, const char *section)
{
	const char *end = strrchr(line, ']');
	size_t n = strlen(section);

	return line[0] == '[' && end && (size_t)(end - line - 1) == n &&
	       !strncasecmp(line + 1, section, n);
}

static bool line_has_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncasecmp(line, key, n))
		return false;
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '=';
}

/*
 * Set (value) or remove (NULL) section/key in the persistent drop-in,
 * atomically. Returns 0 or a negative errno, with the path in *path.
 */
static int persist(const char *section, const char *key, const char *value,
		   char *path, size_t plen)
{
	char tmp[4200], *line = NULL;
	bool in = false, done = false, seen = false;
	size_t cap = 0;
	ssize_t n;
	FILE *in_f, *out;
	int fd, rc = 0;

	snprintf(path, plen, "%s/%s", dropin_dir(), PERSIST_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	if (mkdir(dropin_dir(), 0755) && errno != EEXIST)
		return -errno;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	out = fdopen(fd, "w");
	if (!out) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	in_f = fopen(path, "re");
	if (!in_f && errno != ENOENT) {
		rc = -errno;
		goto fail;
	}
	if (!in_f)
		fprintf(out, "# written by daxpinctl policy set --persist\n");
	while (in_f && (n = getline(&line, &cap, in_f)) > 0) {
		if (line[0] == '[') {
			if (in && !done && value) {
				fprintf(out, "%s=%s\n", key, value);
				done = true;
			}
			in = same_section(line, section);
			seen |= in;
		} else if (in && line_has_key(line, key)) {
			if (value && !done)
				fprintf(out, "%s=%s\n", key, value);
			done = true;
			continue;
		}
		/* other lines byte for byte: a NUL must not cut one short
		 * (nor make line[strlen(line) - 1] read line[-1]) */
		fwrite(line, 1, (size_t)n, out);
		if (line[n - 1] != '\n')
			fputc('\n', out);
	}
	if (value && !done) {
		if (!seen)
			fprintf(out, "[%s]\n", section);
		else if (!in)	/* section seen earlier, closed: open again */
			fprintf(out, "[%s]\n", section);
		fprintf(out, "%s=%s\n", key, value);
	}
	free(line);
	if (in_f)
		fclose(in_f);
	if (fflush(out) || fsync(fileno(out)) || fchmod(fileno(out), 0644)) {
		rc = -errno;
		fclose(out);
		unlink(tmp);
		return rc;
	}
	fclose(out);
	if (rename(tmp, path)) {
		rc = -errno;
		unlink(tmp);
	}
	return rc;
fail:
	fclose(out);
	unlink(tmp);
	return rc;
}

static int section_opt(struct daxpinctl_opts *opts, char *buf, size_t len,
		       const char *kind, const char *arg)
{
	if (!arg[0] || strpbrk(arg, "[]\n"))
		return daxpinctl_usage_error(opts, policy_usage,
					     "bad %s '%s'", kind, arg);
	if (kind[0])
		snprintf(buf, len, "%s %s", kind, arg);
	else
		snprintf(buf, len, "%s", arg);
	return 0;
}

/* a setting from a "policy" reply is a runtime one */
static bool runtime_source(const char *source, const char *rt)
{
	size_t n = strlen(rt);

	return n && !strncmp(source, rt, n) && source[n] == ':';
}

static int reset(struct daxpinctl_opts *opts, const char *section,
		 const char *key, bool do_persist)
{
	struct json_object *reply, *doc, *secs, *v;
	char why[256], path[4096];
	const char *rt;
	size_t i, j, n, cleared = 0;
	int rc;

	rc = daxpinctl_daemon(opts, request("policy"), &reply);
	if (rc)
		return rc;
	rc = daemon_policy_doc(reply, &doc, why, sizeof(why));
	json_object_put(reply);
	if (rc)
		return daxpinctl_daemon_error(opts, rc, why);
	json_object_object_get_ex(doc, "runtime_dropin", &v);
	rt = json_object_get_string(v);

	/* [Policy], each section, [Daemon]: clear matching runtime keys */
	json_object_object_get_ex(doc, "sections", &secs);
	n = json_object_array_length(secs);
	for (i = 0; i <= n + 1 && !rc; i++) {
		struct json_object *set;
		const char *sec;

		if (i == 0) {
			sec = "Policy";
			json_object_object_get_ex(doc, "settings", &set);
		} else if (i <= n) {
			struct json_object *s = json_object_array_get_idx(secs, i - 1);

			json_object_object_get_ex(s, "section", &v);
			sec = json_object_get_string(v);
			json_object_object_get_ex(s, "settings", &set);
		} else {
			sec = "Daemon";
			json_object_object_get_ex(doc, "daemon_settings", &set);
		}
		if (section && strcasecmp(section, sec))
			continue;
		for (j = 0; j < json_object_array_length(set) && !rc; j++) {
			struct json_object *s = json_object_array_get_idx(set, j);
			struct json_object *k, *src, *r;

			json_object_object_get_ex(s, "key", &k);
			json_object_object_get_ex(s, "source", &src);
			if (key && strcasecmp(key, json_object_get_string(k)))
				continue;
			if (!runtime_source(json_object_get_string(src), rt))
				continue;
			rc = send_set(opts, sec, json_object_get_string(k),
				      NULL, &r);
			if (!rc) {
				json_object_put(r);
				cleared++;
			}
		}
	}
	json_object_put(doc);
	if (rc)
		return rc;
	if (do_persist) {
		if (!key) {
			fprintf(stderr, "daxpinctl policy: reset --persist needs a KEY\n");
			return DAXPINCTL_EXIT_USAGE;
		}
		rc = persist(section ? section : "Policy", key, NULL, path,
			     sizeof(path));
		if (rc) {
			fprintf(stderr, "daxpinctl policy: cannot write %s: %s; run as root\n",
				path, strerror(-rc));
			return daxpinctl_exit_code(rc);
		}
		rc = daxpinctl_daemon(opts, request("reload"), &reply);
		if (rc)
			return rc;
		json_object_put(reply);
	}
	rc = daxpinctl_daemon(opts, request("policy"), &reply);
	if (rc)
		return rc;
	snprintf(why, sizeof(why), "%zu runtime setting%s cleared", cleared,
		 cleared == 1 ? "" : "s");
	return print_policy(opts, reply, why);
}

int cmd_policy(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const struct option lo[] = {
		{ "mount", required_argument, NULL, 'm' },
		{ "device", required_argument, NULL, 'd' },
		{ "section", required_argument, NULL, 's' },
		{ "persist", no_argument, NULL, 'p' },
		{ 0 },
	};
	char section[4200] = "", path[4096], note[8400];
	struct json_object *reply;
	const char *verb = "show";
	bool do_persist = false;
	int c, rc, nsec = 0;
	char *key, *value;

	while ((c = daxpinctl_getopt(argc, argv, opts, policy_usage, "m:d:s:p",
				     lo, -1, &rc)) != -1) {
		switch (c) {
		case 'm':
		case 'd':
		case 's':
			if (nsec++)
				return daxpinctl_usage_error(opts, policy_usage,
					"give one of --mount, --device, --section");
			rc = section_opt(opts, section, sizeof(section),
					 c == 'm' ? "Mount" : c == 'd' ? "Device" : "",
					 optarg);
			if (rc)
				return rc;
			continue;
		case 'p':
			do_persist = true;
			continue;
		}
	}
	if (rc)
		return rc < 0 ? 0 : rc;
	if (optind < argc)
		verb = argv[optind++];

	if (!strcmp(verb, "show")) {
		if (optind < argc || nsec || do_persist)
			return daxpinctl_usage_error(opts, policy_usage,
				"'policy show' takes no arguments");
		rc = daxpinctl_daemon(opts, request("policy"), &reply);
		return rc ? rc : print_policy(opts, reply, NULL);
	}
	if (!strcmp(verb, "reset")) {
		if (argc - optind > 1)
			return daxpinctl_usage_error(opts, policy_usage,
				"unexpected argument '%s'", argv[optind + 1]);
		return reset(opts, nsec ? section : NULL,
			     optind < argc ? argv[optind] : NULL, do_persist);
	}
	if (strcmp(verb, "set"))
		return daxpinctl_usage_error(opts, policy_usage,
			"unknown policy command '%s'", verb);
	if (argc - optind != 1)
		return daxpinctl_usage_error(opts, policy_usage,
			argc == optind ? "missing KEY=VALUE" :
			"one KEY=VALUE at a time");
	key = argv[optind];
	value = strchr(key, '=');
	if (!value || value == key)
		return daxpinctl_usage_error(opts, policy_usage,
			"'%s' is not KEY=VALUE", key);
	*value++ = '\0';
	if (!nsec)
		snprintf(section, sizeof(section), "Policy");

	rc = send_set(opts, section, key, value, &reply);
	if (rc)
		return rc;
	snprintf(note, sizeof(note),
		 "[%s] %s=%s applied (runtime: lost on reboot unless --persist)",
		 section, key, value);
	if (do_persist) {
		rc = persist(section, key, value, path, sizeof(path));
		if (rc) {
			json_object_put(reply);
			fprintf(stderr, "daxpinctl policy: applied at runtime, but cannot write %s: %s; run as root\n",
				path, strerror(-rc));
			return daxpinctl_exit_code(rc);
		}
		snprintf(note, sizeof(note), "[%s] %s=%s applied and written to %s",
			 section, key, value, path);
	}
	return print_policy(opts, reply, note);
}

int cmd_metrics(int argc, char **argv, struct daxpinctl_opts *opts)
{
	static const char usage[] = "daxpinctl metrics [--json]";
	struct json_object *reply, *doc;
	char why[256];
	int rc;

	rc = daxpinctl_parse_options(argc, argv, opts, usage, 0);
	if (rc)
		return rc < 0 ? 0 : rc;
	rc = daxpinctl_daemon(opts, request("metrics"), &reply);
	if (rc)
		return rc;
	rc = daemon_metrics_doc(reply, &doc, why, sizeof(why));
	json_object_put(reply);
	if (rc)
		return daxpinctl_daemon_error(opts, rc, why);
	if (opts->json)
		return daxpinctl_print_json(opts, doc);
	render_metrics(stdout, doc);
	json_object_put(doc);
	return fflush(stdout) ? DAXPINCTL_EXIT_FAIL : DAXPINCTL_EXIT_OK;
}
