#!/usr/bin/env python3
"""A loopback TCP proxy that cuts its first connection, and can fall silent.

usage: cutting_proxy.py LISTEN_PORT UPSTREAM_PORT CUT_AFTER_BYTES

Prints the port it listens on, then forwards every connection to UPSTREAM_PORT on 127.0.0.1. The first
connection is closed (both ways, abruptly) once CUT_AFTER_BYTES bytes have gone from the client to the
upstream: a transfer cut in the middle of a frame. Later connections are forwarded whole. A line "stall" on its
standard input stops all forwarding without closing anything (a link gone silent); "resume" starts it again.
It exits when its standard input closes (the test that started it is done or gone), so it never outlives the
test run holding its output open.
"""
import os
import socket
import sys
import threading

listen_port, upstream_port, cut_after = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
first = [True]
flowing = threading.Event()
flowing.set()


def pipe(source, target, limit, done):
    sent = 0
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            flowing.wait()
            if limit is not None and sent + len(data) >= limit:
                target.sendall(data[: max(limit - sent, 0)])
                break
            target.sendall(data)
            sent += len(data)
    except OSError:
        pass
    done.set()


def serve(client):
    upstream = socket.create_connection(("127.0.0.1", upstream_port))
    limit = cut_after if first[0] else None
    first[0] = False
    done = threading.Event()
    threading.Thread(target=pipe, args=(client, upstream, limit, done), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client, None, done), daemon=True).start()
    done.wait()
    for s in (client, upstream):
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        except OSError:
            pass


def exit_with_parent():
    for line in sys.stdin:
        if line.strip() == "stall":
            flowing.clear()
        elif line.strip() == "resume":
            flowing.set()
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(16)
print(server.getsockname()[1], flush=True)
while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
