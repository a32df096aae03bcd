#!/usr/bin/python3
"""Writes the known-answer files in ../ with real implementations.

Run with Debian bookworm's system Python after
  apt-get install python3-passlib python3-argon2 python3-bcrypt \
      python3-django python3-cryptography php-cli
from internal/passhash/testdata/gen:  /usr/bin/python3 gen.py
Keycloak's vectors come from Keycloak.java beside this file (see gen.sh).

Each output line is "<encoded hash>\t<password>"; '#' lines are comments.
Salts are random, so every run writes different (equally valid) files.
"""

import base64
import hashlib
import os
import subprocess
import sys

import argon2
import bcrypt
import cryptography
import django
import passlib
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from passlib import hash as ph

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

PASSWORDS = [
    "correct horse battery staple",
    "pässwörd ✓ 密码",
    "",
]


def write(name, header, lines):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        for h in header:
            f.write("# " + h + "\n")
        for enc, pw in lines:
            assert "\t" not in enc and "\n" not in enc and "\t" not in pw
            f.write(enc + "\t" + pw + "\n")


def php(code, pw):
    return subprocess.run(["php", "-r", code, "--", pw], check=True, capture_output=True, text=True).stdout


def gen_bcrypt():
    lines = []
    for cost in (4, 5):
        for pw in PASSWORDS:
            lines.append((bcrypt.hashpw(pw.encode(), bcrypt.gensalt(cost, b"2b")).decode(), pw))
    lines.append((bcrypt.hashpw(b"typical cost", bcrypt.gensalt(10)).decode(), "typical cost"))
    # bcrypt reads 72 bytes; the tests check that the tail is ignored.
    long_pw = "L" * 72 + "-ignored-tail"
    lines.append((bcrypt.hashpw(long_pw.encode(), bcrypt.gensalt(4)).decode(), long_pw))
    for pw in PASSWORDS:
        lines.append((ph.bcrypt.using(rounds=4, ident="2a").hash(pw), pw))
        lines.append((php('echo password_hash($argv[1], PASSWORD_BCRYPT, ["cost" => 4]);', pw), pw))
    write("bcrypt.txt", [
        "bcrypt: $2b$ from python3-bcrypt %s, $2a$ from passlib %s," % (bcrypt.__version__, passlib.__version__),
        "$2y$ from PHP %s password_hash(PASSWORD_BCRYPT). Written by testdata/gen/gen.py." % php("echo PHP_VERSION;", ""),
    ], lines)


def gen_argon2():
    lines = []
    for typ, m, t, p, salt_len, hash_len in [
        (argon2.Type.ID, 1024, 2, 1, 16, 32),
        (argon2.Type.ID, 4096, 3, 4, 16, 32),
        (argon2.Type.ID, 1000, 1, 3, 8, 16),  # m not a multiple of 4·p
        (argon2.Type.ID, 256, 1, 2, 32, 64),
        (argon2.Type.I, 1024, 2, 1, 16, 32),
        (argon2.Type.I, 512, 4, 2, 12, 24),
        (argon2.Type.ID, 65536, 3, 4, 16, 32),  # the PHC example's parameters
    ]:
        hasher = argon2.PasswordHasher(time_cost=t, memory_cost=m, parallelism=p,
                                       hash_len=hash_len, salt_len=salt_len, type=typ)
        for pw in PASSWORDS if m <= 4096 else PASSWORDS[:1]:
            lines.append((hasher.hash(pw), pw))
    for pw in PASSWORDS:
        lines.append((ph.argon2.using(type="ID", memory_cost=2048, rounds=2, parallelism=2).hash(pw), pw))
        lines.append((php('echo password_hash($argv[1], PASSWORD_ARGON2ID, '
                          '["memory_cost" => 2048, "time_cost" => 2, "threads" => 1]);', pw), pw))
        lines.append((php('echo password_hash($argv[1], PASSWORD_ARGON2I, '
                          '["memory_cost" => 1024, "time_cost" => 3, "threads" => 1]);', pw), pw))
    write("argon2.txt", [
        "argon2 PHC strings from argon2-cffi %s (the reference C library), passlib's argon2," % argon2.__version__,
        "and PHP's password_hash(PASSWORD_ARGON2ID / PASSWORD_ARGON2I). Written by testdata/gen/gen.py.",
    ], lines)


def gen_pbkdf2():
    lines = []
    for scheme in (ph.pbkdf2_sha1, ph.pbkdf2_sha256, ph.pbkdf2_sha512):
        for rounds in (1000, 29000):
            for pw in PASSWORDS:
                lines.append((scheme.using(rounds=rounds).hash(pw), pw))
    # The PHC "i=" form with standard base64, padded and not, from hashlib.
    for name, n in (("sha1", 20), ("sha256", 32), ("sha512", 64)):
        for pw in PASSWORDS:
            salt = os.urandom(16)
            dk = hashlib.pbkdf2_hmac(name, pw.encode(), salt, 2000, n)
            b = lambda x: base64.b64encode(x).decode()
            lines.append(("$pbkdf2-%s$i=2000$%s$%s" % (name, b(salt), b(dk)), pw))
            lines.append(("$pbkdf2-%s$i=2000$%s$%s" % (name, b(salt).rstrip("="), b(dk).rstrip("=")), pw))
    write("pbkdf2.txt", [
        "PBKDF2: passlib %s pbkdf2_sha1/_sha256/_sha512 ($pbkdf2$ / $pbkdf2-sha256$ / $pbkdf2-sha512$" % passlib.__version__,
        "with rounds and ab64), and the PHC i= form from Python's hashlib.pbkdf2_hmac with",
        "standard base64, padded and unpadded. Written by testdata/gen/gen.py.",
    ], lines)


def gen_django():
    settings.configure(PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ])
    django.setup()
    from django.contrib.auth.hashers import (PBKDF2PasswordHasher,
                                             PBKDF2SHA1PasswordHasher,
                                             make_password)
    lines = []
    for pw in PASSWORDS:
        for hasher in (PBKDF2PasswordHasher(), PBKDF2SHA1PasswordHasher()):
            lines.append((hasher.encode(pw, hasher.salt(), iterations=1000), pw))
    lines.append((make_password("django default"), "django default"))
    write("django.txt", [
        "Django %s PBKDF2PasswordHasher / PBKDF2SHA1PasswordHasher (1000 iterations)," % django.get_version(),
        "and make_password() with its defaults. Written by testdata/gen/gen.py.",
    ], lines)


def gen_scrypt():
    lines = []
    for ln, r, p in ((4, 8, 1), (10, 8, 1), (8, 4, 2), (12, 1, 16), (16, 8, 1)):
        for pw in PASSWORDS if ln < 16 else PASSWORDS[:1]:
            lines.append((ph.scrypt.using(rounds=ln, block_size=r, parallelism=p).hash(pw), pw))
    write("scrypt.txt", [
        "scrypt PHC strings from passlib %s (hashlib.scrypt backend). Written by testdata/gen/gen.py." % passlib.__version__,
    ], lines)


def firebase(pw, key, sep, salt, rounds, mem_cost):
    dk = hashlib.scrypt(pw.encode(), salt=salt + sep, n=1 << mem_cost, r=rounds, p=1, dklen=32, maxmem=1 << 30)
    enc = Cipher(algorithms.AES(dk), modes.CTR(b"\0" * 16)).encryptor()
    return enc.update(key) + enc.finalize()


def gen_firebase():
    b = lambda x: base64.b64encode(x).decode()
    # Firebase's published example (github.com/firebase/scrypt README).
    key = base64.b64decode("jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==")
    sep = base64.b64decode("Bw==")
    salt = base64.b64decode("42xEC+ixf3L2lw==")
    want = "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="
    got = firebase("user1password", key, sep, salt, 8, 14)
    if b(got) != want:
        sys.exit("firebase reimplementation disagrees with the published example")
    lines = [("$firebase-scrypt$mem_cost=14,rounds=8$%s$%s$%s$%s" % (b(key), b(sep), b(salt), want), "user1password")]
    for pw in PASSWORDS:
        for rounds, mem in ((8, 10), (2, 12)):
            salt = os.urandom(10)
            h = firebase(pw, key, sep, salt, rounds, mem)
            lines.append(("$firebase-scrypt$mem_cost=%d,rounds=%d$%s$%s$%s$%s" % (mem, rounds, b(key), b(sep), b(salt), b(h)), pw))
    write("firebase.txt", [
        "Firebase scrypt. The first line is Firebase's published example (github.com/firebase/scrypt",
        "README: signer key, separator Bw==, rounds 8, mem_cost 14, password user1password).",
        "The rest come from a Python reimplementation (hashlib.scrypt + AES-256-CTR from",
        "python3-cryptography %s) that reproduces that example first. Written by testdata/gen/gen.py." % cryptography.__version__,
    ], lines)


if __name__ == "__main__":
    gen_bcrypt()
    gen_argon2()
    gen_pbkdf2()
    gen_django()
    gen_scrypt()
    gen_firebase()
