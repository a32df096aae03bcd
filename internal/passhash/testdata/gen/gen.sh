#!/bin/sh
# Regenerates the known-answer files in internal/passhash/testdata.
# Needs Debian bookworm packages:
#   python3-passlib python3-argon2 python3-bcrypt python3-django
#   python3-cryptography php-cli default-jdk-headless libbcprov-java
set -eu
cd "$(dirname "$0")"
/usr/bin/python3 gen.py
tmp=$(mktemp -d)
javac -encoding UTF-8 -cp /usr/share/java/bcprov.jar -d "$tmp" Keycloak.java
java -cp "/usr/share/java/bcprov.jar:$tmp" Keycloak ../keycloak.txt
rm -rf "$tmp"
