# kmod build rules
