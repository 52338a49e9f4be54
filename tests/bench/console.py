#!/usr/bin/env python3
"""Measures the real console on a pseudo-terminal: time from start to the
sign-in screen, resident memory after sign-in, and bytes written to the
terminal per cursor move in a list. Usage: console.py KONTOR_BIN [runs [SCALE JSONL]]
(with JSONL, each figure is appended to that file as one JSON object per line)
(PG* variables choose the database; it needs the demo accounts and orders:
the cursor moves through the order list as the manager)."""
import fcntl, os, pty, select, statistics, struct, sys, termios, time

BIN = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 7
SCALE = sys.argv[3] if len(sys.argv) > 3 else ""
JSONL = sys.argv[4] if len(sys.argv) > 4 else None


def spawn(cols=100, rows=30):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ["LANG"] = "C.UTF-8"
        os.execv(BIN, [BIN])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return pid, fd


def read_until(fd, needle, timeout=10.0):
    buf = b""
    end = time.monotonic() + timeout
    while needle not in buf:
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError(needle)
        r, _, _ = select.select([fd], [], [], left)
        if r:
            buf += os.read(fd, 65536)
    return buf


def drain(fd, quiet=0.15):
    """Bytes written until the terminal has been quiet for `quiet` seconds."""
    n = 0
    while True:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            return n
        n += len(os.read(fd, 65536))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def private_kib(pid):
    """Memory of this process alone (not shared with other consoles):
    private clean + private dirty pages, from smaps_rollup."""
    n = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    n += int(line.split()[1])
    except OSError:
        return 0
    return n


def stop(pid, fd):
    os.write(fd, b"\x1b[21~")  # F10
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)


startup, rss, private, per_move, per_page = [], [], [], [], []
for _ in range(RUNS):
    t0 = time.monotonic()
    pid, fd = spawn()
    read_until(fd, b"User name")
    startup.append((time.monotonic() - t0) * 1000)
    os.write(fd, b"manager\rdemo\r")
    read_until(fd, b"Waiting for you")
    drain(fd)
    rss.append(rss_kib(pid))
    private.append(private_kib(pid))
    stop(pid, fd)

pid, fd = spawn()
read_until(fd, b"User name")
os.write(fd, b"manager\rdemo\r")
read_until(fd, b"Waiting for you")
os.write(fd, b":orders\r")
read_until(fd, b"Orders \xc2\xb7")
os.write(fd, b"x")  # all filters off: a long list
drain(fd, 1.0)
drain(fd)
for _ in range(100):
    os.write(fd, b"j")
    per_move.append(drain(fd, 0.05))
for _ in range(5):
    os.write(fd, b"\x1b[6~")  # PgDn
    per_page.append(drain(fd, 0.1))
stop(pid, fd)

print(f"start to sign-in screen: median {statistics.median(startup):.1f} ms, "
      f"max {max(startup):.1f} ms ({RUNS} runs)")
print(f"resident memory after sign-in: median {statistics.median(rss) / 1024:.1f} MiB "
      f"(of which private to this console: {statistics.median(private) / 1024:.1f} MiB; "
      f"the rest is shared libraries, shared by every console on the host)")
within, scrolling = per_move[:20], per_move[30:]
print(f"bytes to the terminal for 100 cursor moves in a list: {sum(per_move)} "
      f"(median {statistics.median(within):.0f} per move within the page, "
      f"{statistics.median(scrolling):.0f} per move that scrolls in a new row)")
print(f"bytes per page down: median {statistics.median(per_page):.0f}")

if JSONL:
    import json
    figures = [
        ("console: start to sign-in screen", "ms", statistics.median(startup)),
        ("console: resident memory after sign-in", "MiB", statistics.median(rss) / 1024),
        ("console: private memory after sign-in", "MiB", statistics.median(private) / 1024),
        ("console: bytes per cursor move within the page", "bytes", statistics.median(within)),
        ("console: bytes per cursor move that scrolls", "bytes", statistics.median(scrolling)),
        ("console: bytes per page down", "bytes", statistics.median(per_page)),
    ]
    with open(JSONL, "a") as f:
        for name, unit, value in figures:
            f.write(json.dumps({"scale": SCALE, "action": name, "median": round(value, 3),
                                "unit": unit}, ensure_ascii=False) + "\n")
