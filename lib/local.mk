# lib build rules
