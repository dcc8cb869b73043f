# daemon build rules
