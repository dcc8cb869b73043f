#!/usr/bin/env python3
"""Minimal daxpind control client: sends each argument as one request line,
prints each reply line.  Usage: ctl.py SOCKET 'JSON' ['JSON' ...]"""
import socket, sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile("rwb")
for req in sys.argv[2:]:
    f.write((req + "\n").encode())
    f.flush()
    line = f.readline()
    if not line:
        break
    print(line.decode().strip())
