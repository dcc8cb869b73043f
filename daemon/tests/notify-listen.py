#!/usr/bin/env python3
"""Stand-in for the service manager's NOTIFY_SOCKET: logs each datagram as
"<seconds since start> <fields separated by ' | '>" and flushes, so a test can
check what arrived and in which order (e.g. READY=1 only after the first
resync).  Usage: notify-listen.py SOCKET LOGFILE"""
import os, socket, sys, time

path, log = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path + ".tmp")
os.rename(path + ".tmp", path)      # appears only once bound
t0 = time.monotonic()
with open(log, "a", buffering=1) as f:
    while True:
        m = s.recv(65536).decode(errors="replace")
        f.write("%.3f %s\n" % (time.monotonic() - t0, m.strip().replace("\n", " | ")))
