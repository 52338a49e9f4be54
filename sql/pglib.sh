# Shared shell helpers for private PostgreSQL clusters (sourced, not run).
# Used by sql/cluster.sh (the local database) and tests/ (throwaway clusters).

# pg_bin: directory of initdb/pg_ctl, from PATH or the newest /usr/lib/postgresql/*/bin.
pg_bin() {
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    echo "kontor: no PostgreSQL server found (install postgresql)" >&2
    return 1
}

# The OS user the server runs as: ourselves, or 'postgres' when we are root.
pg_runner() {
    if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi
}

# as_runner CMD...: run a command as the server's user.
as_runner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# runner_can_use DIR: can the server's user create files below DIR?
runner_can_use() {
    [ "$(id -u)" = 0 ] || return 0
    _d=$1
    while [ "$_d" != / ] && [ -n "$_d" ]; do
        as_runner test -x "$_d" || return 1
        _d=$(dirname "$_d")
    done
    return 0
}

# pg_make_private_dir DIR: create DIR, owned by the runner, mode 0700.
pg_make_private_dir() {
    mkdir -p "$1"
    [ "$(id -u)" = 0 ] && chown "$(pg_runner)" "$1"
    chmod 0700 "$1"
}

# pg_init DATADIR SOCKDIR SUPERUSER: a new cluster, Unix socket only, no TCP.
pg_init() {
    _pgbin=$(pg_bin) || return 1
    as_runner "$_pgbin/initdb" -D "$1" -U "$3" -A trust -E UTF8 --locale=C.UTF-8 \
        >"$1.initdb.log" 2>&1 || {
        echo "kontor: initdb failed, see $1.initdb.log" >&2; return 1; }
    cat >>"$1/postgresql.conf" <<CONF
# Kontor private cluster: Unix socket only.
listen_addresses = ''
unix_socket_directories = '$2'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_min_error_statement = panic
CONF
}

# pg_start DATADIR LOGFILE
pg_start() {
    _pgbin=$(pg_bin) || return 1
    as_runner "$_pgbin/pg_ctl" -D "$1" -l "$2" -w -t 60 start >/dev/null || {
        echo "kontor: the database server did not start, see $2" >&2; tail -5 "$2" >&2; return 1; }
}

# pg_stop DATADIR
pg_stop() {
    _pgbin=$(pg_bin) || return 1
    as_runner "$_pgbin/pg_ctl" -D "$1" -m fast -w stop >/dev/null
}

pg_running() {
    _pgbin=$(pg_bin) || return 1
    as_runner "$_pgbin/pg_ctl" -D "$1" status >/dev/null 2>&1
}
