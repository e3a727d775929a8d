#!/usr/bin/env python3
"""A PostgreSQL proxy on a Unix socket that breaks the connection on purpose, for the fault
tests of `attach` (Tests/TerrainEngineTests/PostgresFaultTests.swift, Fuzz/faults/campaign.py).

    pg-fault-proxy.py --listen DIR --upstream DIR --port PORT --mode MODE --after BYTES [--connection N]

Listens on DIR/.s.PGSQL.PORT and forwards each connection to the server's socket
UPSTREAM/.s.PGSQL.PORT. Connection number N (1 = the first; 0 = every one) is broken once
BYTES bytes have come from the server on it:
  pass    never (a plain proxy)
  cut     both sides are closed (the client sees the connection end mid-message)
  stall   nothing more is forwarded either way, the sockets stay open (a network that went
          silent: no reset, no end)
  freeze  as stall, and every later connection is accepted and then ignored (a server that
          hangs: even a cancel request gets no answer)
Prints "ready" on stdout once listening; runs until killed.
"""
import argparse, os, socket, sys, threading

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", required=True)
    ap.add_argument("--mode", choices=["pass", "cut", "stall", "freeze"], default="pass")
    ap.add_argument("--after", type=int, default=0)
    ap.add_argument("--connection", type=int, default=1)
    a = ap.parse_args()
    path = os.path.join(a.listen, ".s.PGSQL." + a.port)
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    frozen = threading.Event()
    held = []  # sockets kept open on purpose
    count = 0
    print("ready", flush=True)
    while True:
        client, _ = server.accept()
        count += 1
        if frozen.is_set():
            held.append(client)
            continue
        up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            up.connect(os.path.join(a.upstream, ".s.PGSQL." + a.port))
        except OSError:
            client.close()
            continue
        faulty = a.mode != "pass" and (a.connection == 0 or a.connection == count)
        state = {"down": 0, "broken": False}
        lock = threading.Lock()

        def brk(client=client, up=up, state=state):
            state["broken"] = True
            if a.mode == "cut":
                for s in (client, up):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    s.close()
            else:
                held.extend([client, up])
                if a.mode == "freeze":
                    frozen.set()

        def pump(src, dst, downstream, state=state, faulty=faulty, lock=lock, brk=brk):
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                cut_at = None
                with lock:
                    if state["broken"]:
                        return
                    if downstream and faulty and data:
                        room = a.after - state["down"]
                        if len(data) >= room:
                            cut_at = max(0, room)
                        state["down"] += len(data)
                if not data:
                    for s in (src, dst):
                        try:
                            s.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                    return
                try:
                    dst.sendall(data if cut_at is None else data[:cut_at])
                except OSError:
                    return
                if cut_at is not None:
                    with lock:
                        if not state["broken"]:
                            brk()
                    return

        if faulty and a.after <= 0:
            brk()
            continue
        threading.Thread(target=pump, args=(client, up, False), daemon=True).start()
        threading.Thread(target=pump, args=(up, client, True), daemon=True).start()

if __name__ == "__main__":
    main()
