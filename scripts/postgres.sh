# shellcheck shell=bash
# Throw-away PostgreSQL cluster for the test suite, on a loopback port; source this file, then
#   postgres_start   installs PostgreSQL from Debian's packages when missing, starts a cluster, exports
#                    FANZHA_TEST_POSTGRES_URL
#   postgres_stop    stops the cluster and removes its folder
# Set FANZHA_SKIP_POSTGRES=1 to run without it (the PostgreSQL-marked tests then skip).

_pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

_pg_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "postgres.sh: PostgreSQL is not installed and this user cannot install it (apt-get install postgresql)" >&2
        return 1
    fi
    echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_start() {
    if [ "${FANZHA_SKIP_POSTGRES:-0}" = 1 ]; then return 0; fi
    local bindir port
    bindir=$(_pg_bindir) || { _pg_install && bindir=$(_pg_bindir); } || return 1
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    FANZHA_PG_DIR=$(mktemp -d /tmp/fanzha-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres "$FANZHA_PG_DIR"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    _pg_as_owner "$bindir/initdb" -D "$FANZHA_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null || return 1
    _pg_as_owner "$bindir/pg_ctl" -D "$FANZHA_PG_DIR/data" -l "$FANZHA_PG_DIR/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $FANZHA_PG_DIR -c fsync=off -c full_page_writes=off" \
        start >/dev/null || { cat "$FANZHA_PG_DIR/log" >&2; return 1; }
    export FANZHA_PG_DIR FANZHA_PG_BINDIR="$bindir"
    export FANZHA_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    echo "postgres.sh: PostgreSQL on 127.0.0.1:$port" >&2
}

postgres_stop() {
    [ -n "${FANZHA_PG_DIR:-}" ] || return 0
    _pg_as_owner "$FANZHA_PG_BINDIR/pg_ctl" -D "$FANZHA_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$FANZHA_PG_DIR"
    unset FANZHA_PG_DIR FANZHA_TEST_POSTGRES_URL
}
