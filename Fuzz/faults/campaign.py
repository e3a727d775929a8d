#!/usr/bin/env python3
"""Fault campaign against the release binary of terrain (see ../../FUZZING.md, "Fault campaign").

Each category runs cases and checks one contract per case:
  - the process never dies of a signal it did not get (SIGSEGV, SIGILL, SIGABRT, SIGBUS…),
    never prints Swift's "Fatal error" or a crash report, never hangs past its deadline;
  - a failed load or export is an error (exit 1 with a message), not a success;
  - an export target is never left partial, and no `.NAME.tmp-…` file is left after a
    catchable signal or an error;
  - a signal to a script ends it with 128 + the signal; at the prompt the terminal is
    restored.
Cases that break a contract are "found" and listed with what to reproduce them.

usage: campaign.py --bin PATH [--work DIR] [--scale F] [--only CAT,…] [--seed N] [--json OUT]
"""
import argparse, json, os, random, shutil, signal, struct, subprocess, sys, tempfile, time, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CRASH_MARKS = ("Fatal error", "Stack dump", "Current stack trace", "Illegal instruction",
               "Segmentation fault", "💣", "Crash", "AddressSanitizer")

class Campaign:
    def __init__(self, args):
        self.bin = os.path.abspath(args.bin)
        self.work = args.work
        self.scale = args.scale
        self.rng = random.Random(args.seed)
        self.results = {}   # category -> [cases, survived, [findings]]
        self.env = dict(os.environ, TERRAIN_DATASETS=os.path.join(ROOT, "datasets"),
                        HOME=os.path.join(self.work, "home"), TERM="xterm")
        os.makedirs(self.env["HOME"], exist_ok=True)

    def n(self, count):
        return max(1, int(count * self.scale))

    # -- bookkeeping -------------------------------------------------------------------
    def record(self, cat, ok, what=None):
        r = self.results.setdefault(cat, [0, 0, []])
        r[0] += 1
        if ok:
            r[1] += 1
        elif len(r[2]) < 40:
            r[2].append(what)

    def run(self, args, cwd=None, timeout=20, stdin=None, preexec=None, input_bytes=None):
        """(status, stdout, stderr, timed_out); status < 0 is death by that signal."""
        try:
            p = subprocess.run(args, cwd=cwd, env=self.env, stdin=stdin, input=input_bytes,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                               preexec_fn=preexec)
            return p.returncode, p.stdout, p.stderr, False
        except subprocess.TimeoutExpired as e:
            return None, e.stdout or b"", e.stderr or b"", True

    @staticmethod
    def crashed(status, err):
        text = err.decode("utf-8", "replace")
        return (status is not None and status < 0) or any(m in text for m in CRASH_MARKS)

    def fresh(self, name):
        d = tempfile.mkdtemp(prefix=name + "-", dir=self.work)
        return d

    @staticmethod
    def temporaries(d):
        return [f for f in os.listdir(d) if ".tmp-" in f]

    # -- data --------------------------------------------------------------------------
    def make_csv(self, path, rows, distinct=True, w1252=False):
        with open(path, "wb") as f:
            f.write(b"id;nom;valeur;date;flag\n")
            chunk = []
            for i in range(rows):
                nom = ("commune %d" % (i if distinct else i % 97)).encode()
                if w1252 and i % 1000 == 7:
                    nom += b" \xe9"
                chunk.append(b"%d;%s;%d,%d;2024-%02d-%02d;%s\n" % (
                    i, nom, i % 1000, i % 7, 1 + i % 12, 1 + i % 28, b"true" if i % 3 else b"false"))
                if len(chunk) >= 10000:
                    f.write(b"".join(chunk)); chunk = []
            f.write(b"".join(chunk))

    def prepare(self):
        self.data = os.path.join(self.work, "data")
        os.makedirs(self.data, exist_ok=True)
        self.small = os.path.join(self.data, "small.csv")
        self.medium = os.path.join(self.data, "medium.csv")
        self.big = os.path.join(self.data, "big.csv")
        self.big1252 = os.path.join(self.data, "big1252.csv")
        if not os.path.exists(self.big):
            self.make_csv(self.small, 200)
            self.make_csv(self.medium, 20000)
            self.make_csv(self.big, 1500000)
            self.make_csv(self.big1252, 1500000, w1252=True)

    # -- 1. disk full ----------------------------------------------------------------------
    def disk_full(self):
        mnt = os.path.join(self.work, "full")
        os.makedirs(mnt, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt],
                                 stderr=subprocess.DEVNULL).returncode == 0
        formats = ["csv", "tsv", "json", "md", "xlsx", "parquet", "arrow", "csv.gz"]
        sizes = [("small", self.small), ("medium", self.medium), ("big", self.big)]
        try:
            for rep in range(self.n(3)):
                for fmt in formats:
                    for label, src in sizes:
                        # the tmpfs filled to leave 0–3 MB (when mounted), else `ulimit -f`
                        if mounted:
                            for f in os.listdir(mnt):
                                os.unlink(os.path.join(mnt, f))
                            leave = self.rng.choice([0, 4096, 200_000, 3_000_000])
                            st = os.statvfs(mnt)
                            fill = max(0, st.f_bavail * st.f_frsize - leave)
                            with open(os.path.join(mnt, "filler"), "wb") as f:
                                try:
                                    f.write(b"\0" * fill)
                                except OSError:
                                    pass
                            d = mnt
                        else:
                            d = self.fresh("full")
                        target = os.path.join(d, "out." + fmt)
                        stmt = 'load "%s" as t\nfrom t | export "%s"' % (src, target)
                        pre = None if mounted else (lambda: (signal.signal(signal.SIGXFSZ, signal.SIG_IGN),
                                                             __import__("resource").setrlimit(
                                                                 __import__("resource").RLIMIT_FSIZE, (65536, 65536))))
                        status, out, err, hung = self.run([self.bin, "--no-data", "-c", stmt], cwd=d, preexec=pre, timeout=120)
                        left = self.temporaries(d)
                        wrote = os.path.exists(target)
                        ok = not hung and not self.crashed(status, err) and not left
                        if status == 0 and wrote:
                            ok = ok and self.complete(target, fmt, src)
                        elif status == 0:
                            ok = False  # success without a file
                        else:
                            ok = ok and status == 1 and b"error" in err and not wrote
                        self.record("disk full (export)", ok, "%s %s rc=%s left=%s wrote=%s %s" % (
                            fmt, label, status, left, wrote, err[-200:]))
                # stdout on a full device
                for mode in ["csv", "tsv", "markdown", "table", "json"]:
                    with open("/dev/full", "wb") as full:
                        p = subprocess.run([self.bin, "--mode", mode, "-c", "from communes | select nom, population"],
                                           env=self.env, stdout=full, stderr=subprocess.PIPE, timeout=60)
                    ok = p.returncode == 1 and not self.crashed(p.returncode, p.stderr)
                    self.record("disk full (stdout /dev/full)", ok, "mode %s rc=%s %s" % (mode, p.returncode, p.stderr[-200:]))
        finally:
            if mounted:
                subprocess.run(["umount", mnt])

    def complete(self, target, fmt, src):
        """Whether an export that said it succeeded wrote every row (text formats only)."""
        if fmt in ("csv", "tsv"):
            with open(src, "rb") as a, open(target, "rb") as b:
                return sum(1 for _ in a) == sum(1 for _ in b)
        return os.path.getsize(target) > 0

    # -- 2. kill -9 during export ----------------------------------------------------------
    def kill9(self):
        for i in range(self.n(150)):
            d = self.fresh("kill9")
            fmt = self.rng.choice(["csv", "parquet", "xlsx", "arrow", "json"])
            target = os.path.join(d, "out." + fmt)
            with open(target, "wb") as f:
                f.write(b"OLD CONTENT\n")
            stmt = 'load "%s" as t\nfrom t | export "%s"' % (self.big, target)
            p = subprocess.Popen([self.bin, "--no-data", "-c", stmt], cwd=d, env=self.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(self.rng.uniform(0.05, 4.0))
            p.kill()
            p.wait()
            with open(target, "rb") as f:
                head = f.read(12)
            old = head == b"OLD CONTENT\n"
            ok = old or (os.path.getsize(target) > 1000)
            self.record("kill -9 during export (target intact)", ok, "%s: target is neither old nor complete" % fmt)
            if self.temporaries(d):
                # SIGKILL runs nothing: the temporary file stays (counted, not a finding)
                self.leftover_after_kill = getattr(self, "leftover_after_kill", 0) + 1
            shutil.rmtree(d, ignore_errors=True)

    # -- 3. signals in scripts -----------------------------------------------------------
    def signals_script(self):
        sigs = [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGQUIT, None)]
        phases = {
            "load": 'load "%s" as t\nload "%s" as u' % (self.big, self.big1252),
            "export": 'load "%s" as t\nfrom t | export "out.parquet"\nfrom t | export "out.csv"' % self.big,
            "query": 'load "%s" as t\nfrom t | derive r = row_number() by flag sort nom | aggregate n = count_distinct(nom) by r' % self.big,
        }
        for rep in range(self.n(10)):
            for phase, script in phases.items():
                for sig, want in sigs:
                    d = self.fresh("sig")
                    with open(os.path.join(d, "s.tq"), "w") as f:
                        f.write(script)
                    p = subprocess.Popen([self.bin, "--no-data", "s.tq"], cwd=d, env=self.env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                    time.sleep(self.rng.uniform(0.2, 2.5))
                    p.send_signal(sig)
                    try:
                        _, err = p.communicate(timeout=20)
                        hung = False
                    except subprocess.TimeoutExpired:
                        p.kill(); _, err = p.communicate(); hung = True
                    status = p.returncode
                    left = self.temporaries(d)
                    partial = any(os.path.exists(os.path.join(d, f)) and os.path.getsize(os.path.join(d, f)) == 0
                                  for f in ("out.csv", "out.parquet"))
                    if want is None:  # SIGQUIT: like SIGTERM or the default, but no crash report
                        good_status = status in (131, -signal.SIGQUIT, 0) or status == 128 + sig
                    else:
                        # 0: the script had finished; -sig with nothing printed: the signal came
                        # while the process was still starting, before main() installed the
                        # handlers (a shell sees 128+n either way; only on a loaded machine)
                        good_status = status in (want, 0) or (status == -sig and not err)
                    ok = not hung and good_status and not left and not partial and \
                        not any(m in err.decode("utf-8", "replace") for m in CRASH_MARKS)
                    self.record("signals in scripts", ok, "%s during %s: rc=%s left=%s hung=%s %s" % (
                        sig.name, phase, status, left, hung, err[-200:]))
                    shutil.rmtree(d, ignore_errors=True)

    # -- 4. signals in the PTY shell ----------------------------------------------------------
    def signals_pty(self):
        import pty, termios, select
        for rep in range(self.n(8)):
            for sig in [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT]:
                for phase in ["prompt", "load", "export"]:
                    master, slave = pty.openpty()
                    before = termios.tcgetattr(slave)
                    d = self.fresh("pty")
                    p = subprocess.Popen([self.bin, "--no-data"], cwd=d, env=self.env, stdin=slave,
                                         stdout=slave, stderr=slave, start_new_session=True)
                    out = self.pty_read(master, 30.0, b"terrain> ")
                    if phase == "load":
                        os.write(master, ('load "%s" as t\r' % self.big).encode())
                        time.sleep(self.rng.uniform(0.2, 1.5))
                    elif phase == "export":
                        os.write(master, ('load "%s" as t\r' % self.medium).encode())
                        self.pty_read(master, 30.0, b"terrain> ")
                        os.write(master, b'from t | append t | append t | append t | export "out.xlsx"\r')
                        time.sleep(self.rng.uniform(0.1, 1.0))
                    p.send_signal(sig)
                    if sig == signal.SIGINT:
                        # Ctrl-C: the shell stays; it must answer a statement, then quit on .quit
                        out += self.pty_read(master, 30.0, b"terrain> ")
                        os.write(master, b'from communes | take 0\r.quit\r')
                    self.pty_read(master, 2.0, b"\0")
                    try:
                        p.wait(timeout=20)
                        hung = False
                    except subprocess.TimeoutExpired:
                        p.kill(); p.wait(); hung = True
                    rest = self.pty_read(master, 0.5, b"\0")
                    after = termios.tcgetattr(slave)
                    restored = before == after
                    os.close(master); os.close(slave)
                    left = self.temporaries(d)
                    text = (out + rest).decode("utf-8", "replace")
                    crash = any(m in text for m in CRASH_MARKS) or (p.returncode is not None and p.returncode < 0
                                                                   and -p.returncode not in (sig,))
                    if sig == signal.SIGINT:
                        good = p.returncode == 0
                    else:
                        good = p.returncode in (128 + sig, -sig)
                    ok = not hung and good and restored and not left and not crash
                    self.record("signals in the PTY shell", ok, "%s at %s: rc=%s restored=%s left=%s hung=%s" % (
                        sig.name, phase, p.returncode, restored, left, hung))
                    shutil.rmtree(d, ignore_errors=True)

    @staticmethod
    def pty_read(fd, seconds, until):
        import select
        out = b""
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                if until in out[-200:]:
                    break
        return out

    # -- 5. memory limits -----------------------------------------------------------------
    def memory(self):
        inputs = self.memory_inputs()
        limits = ["200M", "400M", "800M", "1600M", "3000M"]
        for rep in range(self.n(1)):
            for label, stmt, stdin in inputs:
                for limit in limits:
                    args = ["prlimit", "--as=%d" % self.bytes_of(limit), "--", self.bin, "--no-data"]
                    args += ["-c", stmt] if stmt is not None else []
                    status, out, err, hung = self.run(args, cwd=self.work, timeout=300,
                                                      stdin=open(stdin, "rb") if stdin else subprocess.DEVNULL)
                    text = err.decode("utf-8", "replace")
                    # a script that cannot be read is bad usage: exit 2 with its reason
                    allowed = (0, 1, 2) if stmt is None else (0, 1)
                    ok = not hung and not self.crashed(status, err) and status in allowed
                    self.record("memory limits (prlimit --as)", ok, "%s under %s: rc=%s hung=%s %s" % (
                        label, limit, status, hung, text[-240:]))

    @staticmethod
    def bytes_of(s):
        return int(s[:-1]) * (1 << 20)

    def memory_inputs(self):
        d = os.path.join(self.work, "mem")
        os.makedirs(d, exist_ok=True)
        def path(n): return os.path.join(d, n)
        if not os.path.exists(path("ones.csv")):
            with open(path("ones.csv"), "wb") as f:  # a 200 MB line of `1,`
                f.write(b"1," * (100 << 20) + b"1\n")
            with open(path("wide.csv"), "wb") as f:  # 900,000 columns, 40 rows
                f.write((b"a," * 899_999 + b"a\n") + (b"1," * 899_999 + b"1\n") * 40)
            with open(path("commas.csv"), "wb") as f:  # 10 columns, 20 M rows of nulls: 10x in columns
                f.write(b"a,b,c,d,e,f,g,h,i,j\n" + b",,,,,,,,,\n" * 20_000_000)
            with open(path("distinct.csv"), "wb") as f:  # 2 M distinct 80-byte strings
                f.write(b"s\n")
                for i in range(0, 2_000_000, 10000):
                    f.write(b"".join(b"%080d\n" % j for j in range(i, i + 10000)))
            with open(path("quoted.csv"), "wb") as f:  # one 300 MB quoted field with "" escapes
                f.write(b'a\n"' + b'x""' * (100 << 20) + b'"\n')
            with open(path("bomb.csv.gz"), "wb") as f:  # 2 GB of `1,` lines in 2 MB
                c = zlib.compressobj(9, zlib.DEFLATED, 31)
                block = b"1,2,3,4\n" * (1 << 17)
                f.write(b"a,b,c,d\n")
                for _ in range(2048):
                    f.write(c.compress(block))
                f.write(c.flush())
            subprocess.run(["python3", "-c", "import zipfile,sys\n"
                            "z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\n"
                            "w=z.open('a.csv','w',force_zip64=True)\n"
                            "w.write(b'a\\n')\n"
                            "[w.write(b'1234567\\n'*(1<<17)) for _ in range(2048)]\n"
                            "w.close();z.close()", path("bomb.zip")], check=False)
        if not os.path.exists(path("shared.xlsx")):
            # xlsx: 4 M distinct shared strings (19 MB), and a sheet of 3 M rows deflated to 490 KB
            subprocess.run(["python3", "-c", XLSX_MEMORY_INPUTS, path("shared.xlsx"), path("rows.xlsx")], check=False)
        if not os.path.exists(path("nulls.parquet")):
            # 20 M rows of 10 null columns, written by terrain itself: a deferred table whose
            # placeholders take 160 MB of address space (the hang of reliability3)
            subprocess.run([self.bin, "--no-data", "-c", 'load "%s" as t\nfrom t | export "%s"' % (
                path("commas.csv"), path("nulls.parquet"))], check=False, env=self.env)
        cases = [
            ("load /dev/zero", 'load "/dev/zero" as z', None),
            ("200 MB line of 1,", 'load "%s"' % path("ones.csv"), None),
            ("200 MB line of 1, header=false", 'load "%s" with (header = false)' % path("ones.csv"), None),
            ("900k columns", 'load "%s"' % path("wide.csv"), None),
            ("20M rows of nulls (10 columns)", 'load "%s"' % path("commas.csv"), None),
            ("2M distinct strings", 'load "%s"' % path("distinct.csv"), None),
            ("300 MB quoted field", 'load "%s"' % path("quoted.csv"), None),
            ("gzip bomb", 'load "%s"' % path("bomb.csv.gz"), None),
            ("zip bomb", 'load "%s"' % path("bomb.zip"), None),
            ("xlsx of 4M shared strings", 'load "%s"' % path("shared.xlsx"), None),
            ("xlsx of 3M rows in 490 KB", 'load "%s" as t\nfrom t | aggregate n = count()' % path("rows.xlsx"), None),
            ("20M-row Parquet, count()", 'load "%s" as t\nfrom t | aggregate n = count()' % path("nulls.parquet"), None),
            ("big CSV", 'load "%s"' % self.big, None),
            ("big windows-1252 CSV", 'load "%s" with (encoding = "windows-1252")' % self.big1252, None),
            (".read /dev/zero", '.read "/dev/zero"', None),
            ("stdin /dev/zero", None, "/dev/zero"),
            ("self-append doubling", 'let c = from communes\n' + 'let c = from c | append c\n' * 22, None),
            ("cross join", 'from communes | derive one = 1 | join (from communes | derive one = 1) on one', None),
        ]
        return cases

    # -- 6. files changed while loading ---------------------------------------------------------
    def changing_files(self):
        import threading
        kinds = ["overwrite", "truncate", "append", "replace", "truncate-zero"]
        for i in range(self.n(200)):
            d = self.fresh("chg")
            src = self.big1252 if i % 2 else self.big
            f = os.path.join(d, "f.csv")
            shutil.copy(src, f)
            kind = kinds[i % len(kinds)]
            enc = ' with (encoding = "windows-1252")' if i % 2 else ""
            p = subprocess.Popen([self.bin, "--no-data", "-c", 'load "%s" as t%s\nfrom t | aggregate n = count()' % (f, enc)],
                                 cwd=d, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(self.rng.uniform(0.0, 0.6))
            size = os.path.getsize(f)
            try:
                if kind == "overwrite":
                    with open(f, "r+b") as h:
                        for _ in range(50):
                            h.seek(self.rng.randrange(size)); h.write(bytes(self.rng.randrange(256) for _ in range(64)))
                elif kind == "truncate":
                    os.truncate(f, self.rng.randrange(size))
                elif kind == "truncate-zero":
                    os.truncate(f, 0)
                elif kind == "append":
                    with open(f, "ab") as h:
                        h.write(b"x;y;\xff\xfe;\n" * 100000)
                else:
                    tmp = f + ".new"
                    with open(tmp, "wb") as h:
                        h.write(b"a;b\n1;2\n")
                    os.rename(tmp, f)
            except OSError:
                pass
            try:
                out, err = p.communicate(timeout=60); hung = False
            except subprocess.TimeoutExpired:
                p.kill(); out, err = p.communicate(); hung = True
            ok = not hung and not self.crashed(p.returncode, err) and p.returncode in (0, 1)
            self.record("files changed while loading", ok, "%s (%s) rc=%s %s" % (kind, "1252" if i % 2 else "utf8", p.returncode, err[-200:]))
            shutil.rmtree(d, ignore_errors=True)

    # -- 7. FIFOs ------------------------------------------------------------------------
    def fifos(self):
        for rep in range(self.n(5)):
            for case in ["load-no-writer", "read-no-writer", "data-dir", "load-slow-writer", "load-endless-writer",
                         "script-is-fifo", "export-to-fifo", "load-fifo-gz"]:
                d = self.fresh("fifo")
                fifo = os.path.join(d, "p.csv" if case != "load-fifo-gz" else "p.csv.gz")
                os.mkfifo(fifo)
                writer = None
                args = [self.bin, "--no-data", "-c", 'load "%s" as f' % fifo]
                if case == "read-no-writer":
                    args = [self.bin, "--no-data", "-c", '.read "%s"' % fifo]
                elif case == "data-dir":
                    with open(os.path.join(d, "ok.csv"), "w") as h:
                        h.write("a,b\n1,2\n")
                    with open(os.path.join(d, "bad.csv"), "wb") as h:
                        h.write(b'a,b\n"1,2\n')
                    args = [self.bin, "--data", d, "-c", ".tables"]
                elif case == "script-is-fifo":
                    args = [self.bin, "--no-data", fifo]
                elif case == "export-to-fifo":
                    args = [self.bin, "--no-data", "-c", 'from communes | export "%s"' % fifo]
                elif case in ("load-slow-writer", "load-endless-writer", "load-fifo-gz"):
                    endless = case == "load-endless-writer"
                    gz = case == "load-fifo-gz"
                    code = ("import sys,time\nf=open(sys.argv[1],'wb')\n" +
                            ("import gzip\nf=gzip.GzipFile(fileobj=f,mode='wb')\n" if gz else "") +
                            "f.write(b'a,b\\n')\n" +
                            ("while True:\n f.write(b'1,2\\n'*1000)\n" if endless else
                             "for i in range(20):\n f.write(b'1,2\\n'); f.flush(); time.sleep(0.05)\n") +
                            "f.close()\n")
                    writer = subprocess.Popen([sys.executable, "-c", code, fifo], stderr=subprocess.DEVNULL)
                p = subprocess.Popen(args, cwd=d, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                finishes = case in ("data-dir", "load-slow-writer")
                if finishes:
                    # these end by themselves: no Ctrl-C (a loaded machine makes them slow)
                    interrupted = False
                else:
                    time.sleep(1.5)
                    interrupted = p.poll() is None
                    if interrupted:
                        p.send_signal(signal.SIGINT)
                try:
                    # generous: under `nice 19` on a loaded machine a process may wait seconds
                    out, err = p.communicate(timeout=60); hung = False
                except subprocess.TimeoutExpired:
                    p.kill(); out, err = p.communicate(); hung = True
                if writer:
                    writer.kill(); writer.wait()
                status = p.returncode
                if case == "load-slow-writer":
                    ok = status == 0
                elif case == "data-dir":
                    ok = status == 0 and b"ok" in out
                else:
                    ok = status in (0, 1, 130)
                ok = ok and not hung and not self.crashed(status, err)
                self.record("FIFOs", ok, "%s: rc=%s interrupted=%s hung=%s %s" % (case, status, interrupted, hung, err[-200:]))
                shutil.rmtree(d, ignore_errors=True)

    # -- 8. mutated statements ----------------------------------------------------------------
    def statements(self):
        seeds = []
        for folder in [os.path.join(ROOT, "Fuzz", "corpus", "session"), os.path.join(ROOT, "Fuzz", "corpus", "parser")]:
            for name in sorted(os.listdir(folder)):
                with open(os.path.join(folder, name), "rb") as h:
                    seeds.append(h.read())
        # the fuzz seeds use tables t and u: give them here from the bundled data
        prelude = (b"let t = from communes | select id = int(population / 100), k = population, x = superficie, "
                   b"name = nom, flag = population > 10000, d = date(\"2024-01-01\") | take 40\n"
                   b"let u = from t | select k, label = name | take 10\n")
        tokens = [b"|", b"(", b")", b",", b"\"", b"'", b"`", b"=", b"==", b"$x", b"-", b"*", b"/", b"%", b"\x00",
                  b"\xff", b"\xe2\x80\xae", b"9223372036854775807", b"1e999", b"null", b" by ", b" sort ",
                  b" desc", b"where ", b"pivot ", b"unpivot ", b"derive ", b"take ", b"append ", b"split ",
                  b"chart bar ", b"row_number()", b"lag(", b"date(", b"case when ", b" end", b"like ", b"into ",
                  b"using ", b"(((((((((((((((((((", b"\n", b"#", b".describe ", b".schema ", b"*"]
        for i in range(self.n(3000)):
            s = bytearray(self.rng.choice(seeds))
            for _ in range(self.rng.randint(1, 6)):
                op = self.rng.randrange(6)
                pos = self.rng.randrange(len(s) + 1)
                if op == 0 and s:
                    s[self.rng.randrange(len(s))] = self.rng.randrange(256)
                elif op == 1 and s:
                    del s[pos:pos + self.rng.randint(1, 8)]
                elif op == 2:
                    s[pos:pos] = self.rng.choice(tokens)
                elif op == 3 and s:
                    a = self.rng.randrange(len(s)); s[pos:pos] = s[a:a + self.rng.randint(1, 30)]
                elif op == 4:
                    other = self.rng.choice(seeds); s[pos:] = other[self.rng.randrange(len(other) + 1):]
                else:
                    s = s[:pos]
            body = bytes(s)
            # nothing that touches files
            if any(w in body.lower() for w in (b"load", b"export", b".read", b".save", b".open", b" to ", b"pilots", b".quit")):
                body = body.replace(b"load", b"from").replace(b"export", b"take 1")
            # through a script file: a NUL byte cannot be a command-line argument
            script = os.path.join(self.work, "mutated.tq")
            with open(script, "wb") as h:
                h.write(prelude + body)
            status, out, err, hung = self.run([self.bin, script], cwd=self.work, timeout=30)
            ok = not hung and not self.crashed(status, err) and status in (0, 1)
            self.record("mutated statements", ok, "rc=%s hung=%s stmt=%r %s" % (status, hung, body[:300], err[-200:]))

    # -- 9. readers: truncated and mutated files ------------------------------------------------
    def readers(self):
        d = os.path.join(self.work, "readers")
        os.makedirs(d, exist_ok=True)
        make = ('let t = from communes | select code_insee, nom, population, superficie, grand = population > 10000, '
                'd = date("2024-01-01") + int(population % 300) | take 3000\n')
        files = {}
        for fmt in ["xlsx", "parquet", "arrow", "csv.gz", "zip", "json", "terrain"]:
            path = os.path.join(d, "valid." + fmt)
            if fmt == "zip":
                import zipfile
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                    z.write(self.medium, "medium.csv")
            elif fmt == "csv.gz":
                import gzip
                with open(self.medium, "rb") as src, gzip.open(path, "wb") as z:
                    z.write(src.read())
            elif fmt == "terrain":  # a session file (`.save`) of the Parquet file's table, read back by `.open`
                self.run([self.bin, "--no-data", "-c", 'load "%s" as t\n.save %s' % (os.path.join(d, "valid.parquet"), path)],
                         cwd=d, timeout=120)
            elif not os.path.exists(path):
                self.run([self.bin, "-c", make + 'from t | export "%s"' % path], cwd=d, timeout=120)
            if os.path.exists(path):
                with open(path, "rb") as h:
                    files[fmt] = h.read()
        for fmt, data in files.items():
            cases = []
            for _ in range(self.n(100)):
                cases.append(("truncated", data[:self.rng.randrange(len(data))]))
            for _ in range(self.n(150)):
                b = bytearray(data)
                for _ in range(self.rng.randint(1, 20)):
                    op = self.rng.randrange(4)
                    pos = self.rng.randrange(len(b))
                    if op == 0:
                        b[pos] = self.rng.randrange(256)
                    elif op == 1:
                        b[pos:pos + 4] = struct.pack("<I", self.rng.choice([0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 1 << 20]))
                    elif op == 2:
                        del b[pos:pos + self.rng.randint(1, 64)]
                    else:
                        b[pos:pos] = bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 16)))
                cases.append(("mutated", bytes(b)))
            for kind, blob in cases:
                path = os.path.join(d, "case." + fmt)
                with open(path, "wb") as h:
                    h.write(blob)
                read = ('.open %s\n.tables' % path) if fmt == "terrain" else ('load "%s" as x\nfrom x | aggregate n = count()' % path)
                status, out, err, hung = self.run([self.bin, "--no-data", "-c", read], cwd=d, timeout=30)
                named = status != 1 or b"case." in err
                ok = not hung and not self.crashed(status, err) and status in (0, 1) and named
                if not ok:
                    keep = os.path.join(d, "found-%s-%d.%s" % (kind, self.results.get("readers: truncated/mutated " + fmt, [0])[0], fmt))
                    shutil.copy(path, keep)
                self.record("readers: truncated/mutated " + fmt, ok, "%s rc=%s hung=%s named=%s %s" % (
                    kind, status, hung, named, err[-200:]))

    # -- 9b. PostgreSQL connections broken mid-transfer ------------------------------------------
    def postgres(self):
        """`attach` through scripts/pg-fault-proxy.py, which cuts the connection (both ends
        closed), stalls it (silent, sockets open) or freezes the server (a stall, and later
        connections — the cancel request's too — accepted and ignored) after a random number of
        the server's bytes, during attach, a pushed-down aggregate, a pull of 400,000 rows into
        memory, and an export into the database. A cut must end the script with an error naming
        the connection (or 0 when the cut came after the last byte needed); a stall or a freeze
        must end within seconds of SIGINT with status 130 (or 0/1 when it had finished)."""
        cluster = os.environ.get("TERRAIN_TEST_PG_DIR")
        conninfo = os.environ.get("TERRAIN_TEST_PG")
        started = None
        if not (cluster and conninfo):
            p = subprocess.run([os.path.join(ROOT, "scripts", "pg-test-cluster"), "start"], capture_output=True, text=True)
            if p.returncode != 0:
                print("postgres: no PostgreSQL cluster (%s), category skipped" % p.stderr.strip()[-200:], file=sys.stderr)
                return
            env = dict(line.replace("export ", "", 1).split("=", 1) for line in p.stdout.splitlines() if line.startswith("export "))
            conninfo = env["TERRAIN_TEST_PG"].strip("'")
            cluster = started = env["TERRAIN_TEST_PG_DIR"].strip("'")
        try:
            fields = dict(f.split("=", 1) for f in conninfo.split())
            host, port, db = fields["host"], fields["port"], fields.get("dbname", "terrain")
            subprocess.run(["psql", "-X", "-q", conninfo, "-c",
                            "drop table if exists fault_big; create table fault_big as select g as id, g * 1.5 as x, "
                            "'v' || (g % 1000) as t, date '2020-01-01' + (g % 900) as d from generate_series(1, 400000) g"],
                           check=True, capture_output=True)
            proxy_dir = tempfile.mkdtemp(prefix="pgproxy-", dir="/tmp")  # a short path: Unix sockets
            os.chmod(proxy_dir, 0o755)
            via = "host=%s port=%s dbname=%s user=%s" % (proxy_dir, port, db, fields.get("user", "postgres"))
            scripts = {
                "attach": 'attach "%s" as pg\n.tables' % via,
                "pushed-down": 'attach "%s" as pg\nfrom pg.fault_big | aggregate n = count(), s = sum(x) by t | sort t | take 3' % via,
                "pull": 'attach "%s" as pg\nlet t = from pg.fault_big\nfrom t | aggregate n = count()' % via,
                "export": 'attach "%s" as pg\nfrom communes | take 20000 | export "pg.fault_out" with (mode = "replace")' % via,
            }
            for rep in range(self.n(60)):
                for what, script in scripts.items():
                    for mode in ("cut", "stall", "freeze"):
                        self.postgres_case(proxy_dir, cluster, port, what, script, mode)
            shutil.rmtree(proxy_dir, ignore_errors=True)
        finally:
            if started:
                subprocess.run([os.path.join(ROOT, "scripts", "pg-test-cluster"), "stop", started], capture_output=True)

    def postgres_case(self, proxy_dir, cluster, port, what, script, mode):
        after = int(self.rng.choice([self.rng.randrange(0, 2000), self.rng.randrange(0, 200000), self.rng.randrange(0, 8000000)]))
        connection = self.rng.choice([0, 1, 2, 3])
        proxy = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "pg-fault-proxy.py"), "--listen", proxy_dir,
                                  "--upstream", cluster, "--port", port, "--mode", mode, "--after", str(after),
                                  "--connection", str(connection)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            proxy.stdout.readline()  # "ready"
            d = self.fresh("pg")
            with open(os.path.join(d, "s.tq"), "w") as f:
                f.write(script + "\n")
            p = subprocess.Popen([self.bin, "s.tq"], cwd=d, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            interrupted = None
            try:
                _, err = p.communicate(timeout=20 if mode == "cut" else 3)
                hung = False
            except subprocess.TimeoutExpired:
                hung = mode == "cut"
                err = b""
                if not hung:
                    p.send_signal(signal.SIGINT)
                    interrupted = time.time()
                    try:
                        _, err = p.communicate(timeout=15)
                    except subprocess.TimeoutExpired:
                        hung = True
                if hung:
                    p.kill()
                    _, err = p.communicate()
            status = p.returncode
            text = err.decode("utf-8", "replace")
            if interrupted is not None:
                good = status in (130, 0, 1) and not hung
            else:
                good = status in (0, 1) and (status == 0 or "PostgreSQL" in text or "pg" in text)
            ok = good and not hung and not self.crashed(status, err)
            self.record("postgres: connection %s during %s" % (mode, what), ok, "after %d bytes of connection %d: rc=%s hung=%s %s" % (
                after, connection, status, hung, text[-300:]))
            shutil.rmtree(d, ignore_errors=True)
        finally:
            proxy.kill()
            proxy.wait()

    # -- 10. valgrind -----------------------------------------------------------------------
    def valgrind(self):
        if not shutil.which("valgrind"):
            return
        stmts = [
            "from communes | where population > 1000 | select nom, population | sort population desc | take 5",
            "from communes | aggregate n = count(), p = sum(population) by code_departement | take 3",
            "from communes | derive r = rank() by code_departement sort population desc | where r <= 2 | take 4",
        ]
        for i in range(self.n(6)):
            stmt = stmts[i % len(stmts)]
            status, out, err, hung = self.run(
                ["valgrind", "--tool=memcheck", "--error-exitcode=99", "--track-origins=yes",
                 "--suppressions=" + os.path.join(HERE, "valgrind.supp"), self.bin, "-c", stmt],
                cwd=self.work, timeout=900)
            text = err.decode("utf-8", "replace")
            ok = status == 0 and not hung
            self.record("valgrind memcheck", ok, "rc=%s %s" % (status, text[-600:]))

    # -------------------------------------------------------------------------------------
    def report(self):
        rows = []
        total = [0, 0]
        for cat, (cases, survived, found) in self.results.items():
            rows.append((cat, cases, survived, cases - survived))
            total[0] += cases; total[1] += survived
        print("| category | cases | survived | found |")
        print("|---|---:|---:|---:|")
        for cat, c, s, f in rows:
            print("| %s | %d | %d | %d |" % (cat, c, s, f))
        print("| **total** | %d | %d | %d |" % (total[0], total[1], total[0] - total[1]))
        if getattr(self, "leftover_after_kill", 0):
            print("\nkill -9 left a temporary file in %d cases (nothing can run on SIGKILL)." % self.leftover_after_kill)
        for cat, (_, _, found) in self.results.items():
            for f in found:
                if f:
                    print("FOUND [%s] %s" % (cat, f))


# Writes argv[1], an xlsx of 4 M distinct shared strings, and argv[2], a sheet of 3 M rows
# deflated to about 490 KB (Python's zipfile only).
XLSX_MEMORY_INPUTS = r"""
import sys, zipfile
def workbook(path, sheet, shared=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="S"/></sheets></workbook>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for c in sheet(): f.write(c)
        if shared:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                for c in shared(): f.write(c)
def strings():
    yield b"<sst>"
    for i in range(0, 4000000, 1000):
        yield b"".join(b"<si><t>value number %d with some padding text</t></si>" % j for j in range(i, i + 1000))
    yield b"</sst>"
def uses():
    yield b"<worksheet><sheetData>"
    for i in range(0, 4000000, 1000):
        yield b"".join(b'<row><c t="s"><v>%d</v></c></row>' % j for j in range(i, i + 1000))
    yield b"</sheetData></worksheet>"
def rows():
    yield b"<worksheet><sheetData>"
    chunk = b"<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>" * 1000
    for _ in range(3000): yield chunk
    yield b"</sheetData></worksheet>"
workbook(sys.argv[1], uses, strings)
workbook(sys.argv[2], rows)
"""

CATEGORIES = ["disk_full", "kill9", "signals_script", "signals_pty", "memory", "changing_files", "fifos",
              "statements", "readers", "postgres", "valgrind"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--only", default=",".join(CATEGORIES))
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    args.work = args.work or tempfile.mkdtemp(prefix="terrain-faults-")
    os.makedirs(args.work, exist_ok=True)
    c = Campaign(args)
    c.prepare()
    for cat in args.only.split(","):
        t0 = time.time()
        getattr(c, cat)()
        print("== %s done in %.0f s" % (cat, time.time() - t0), file=sys.stderr, flush=True)
        if args.json:
            with open(args.json, "w") as h:
                json.dump(c.results, h, indent=1)
    c.report()

if __name__ == "__main__":
    main()
