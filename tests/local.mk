# tests build rules
