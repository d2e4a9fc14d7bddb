#!/usr/bin/env bash
# PostgreSQL and Redis for the project, from Debian's packages, run under var/ on loopback only.
#
#   scripts/services.sh install   apt-get the pinned Debian packages when missing (apt-get update at most once)
#   scripts/services.sh start     install if needed, initialise var/pg and var/redis once, start both (idempotent)
#   scripts/services.sh stop      stop both (fast shutdown; data kept)
#   scripts/services.sh status    say what runs; exit 1 when either is down
#   scripts/services.sh env       print DATABASE_URL=… and REDIS_URL=… (eval "$(scripts/services.sh env)")
#   scripts/services.sh pg-stop | pg-start | redis-restart   (used by the fault benchmarks)
#
# Own data directories, own ports (PG_PORT, REDIS_PORT; by default derived from the checkout's path so that
# several clones on one machine do not collide), unix sockets in var/run/.
# Passwords are generated once into var/services/secrets.env (mode 600). PostgreSQL refuses to run as root,
# so as root both servers run as the Debian packages' own users (postgres, redis).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VAR=${VAR_DIR:-$ROOT/var}
# Ports per checkout (several clones on one machine must not collide): 54000–54999 and 55000–55999.
_slot=$(( 0x$(printf '%s' "$VAR" | sha1sum | cut -c1-6) % 1000 ))
PG_PORT=${PG_PORT:-$((54000 + _slot))}
REDIS_PORT=${REDIS_PORT:-$((55000 + _slot))}
PG_MAJOR=15                       # Debian 12 (bookworm): postgresql-15 15.x, redis-server 5:7.0.x
REDIS_VERSION='5:7.0.*'
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PGDATA=$VAR/pg
REDIS_DIR=$VAR/redis
PG_RUN=$VAR/run/pg
REDIS_RUN=$VAR/run/redis
SECRETS=$VAR/services/secrets.env
DB_NAME=assistant
DB_USER=assistant

say() { printf '%s\n' "$*" >&2; }

as_user() {  # as_user USER CMD… — run as USER when we are root, else as ourselves
  local user=$1; shift
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$user" -- "$@"); else "$@"; fi
}

resolve() {  # the real paths behind var/pg, var/redis, var/run (they may be symlinks, see service_dir)
  [ -e "$VAR/pg" ] && PGDATA=$(readlink -f "$VAR/pg")
  [ -e "$VAR/redis" ] && REDIS_DIR=$(readlink -f "$VAR/redis")
  if [ -e "$VAR/run" ]; then PG_RUN=$(readlink -f "$VAR/run")/pg; REDIS_RUN=$(readlink -f "$VAR/run")/redis; fi
  return 0
}

pg_user() { if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi; }
redis_user() { if [ "$(id -u)" = 0 ]; then echo redis; else id -un; fi; }

install() {
  local need=()
  [ -x "$PG_BIN/postgres" ] || need+=("postgresql-$PG_MAJOR")
  command -v redis-server >/dev/null || need+=("redis-server=$REDIS_VERSION" "redis-tools=$REDIS_VERSION")
  [ ${#need[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || { say "需要 root 安装：${need[*]}（sudo apt-get install ${need[*]}）"; exit 1; }
  say "==> 安装 Debian 软件包：${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
}

secrets() {
  mkdir -p "$(dirname "$SECRETS")"
  if [ ! -s "$SECRETS" ]; then
    (umask 077
     printf 'PG_PASSWORD=%s\nREDIS_PASSWORD=%s\n' "$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" \
       "$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" >"$SECRETS")
  fi
  # shellcheck disable=SC1090
  . "$SECRETS"
}

service_dir() {  # service_dir NAME USER — var/NAME, or (when USER cannot reach var/) a symlink to a private dir
  local name=$1 user=$2 dir=$VAR/$1
  mkdir -p "$VAR"
  if [ "$(id -u)" = 0 ] && [ ! -e "$dir" ] && ! runuser -u "$user" -- test -x "$VAR"; then
    local real; real=/var/tmp/shanxi-assistant-$(printf '%s' "$VAR" | sha1sum | cut -c1-12)/$name
    mkdir -p "$real"; chmod 711 "$(dirname "$real")"; ln -s "$real" "$dir"
  fi
  mkdir -p "$dir"
}

pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_user "$(pg_user)" "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

pg_start() {
  secrets
  local owner; owner=$(pg_user)
  service_dir run "$owner"; resolve; mkdir -p "$PG_RUN" "$VAR/services"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    say "==> 初始化 PostgreSQL 数据目录 $PGDATA"
    service_dir pg "$owner"; resolve; rm -rf "${PGDATA:?}"/*
    local pw; pw=$(mktemp); printf '%s\n' "$PG_PASSWORD" >"$pw"
    chown "$owner" "$PGDATA" "$pw"; chmod 700 "$PGDATA"
    as_user "$owner" "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pw" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pw"
    cat >>"$PGDATA/postgresql.conf" <<EOF
# scripts/services.sh: loopback only, sockets under var/run, modest memory for a shared 2-core machine
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
max_connections = 200
shared_buffers = 128MB
synchronous_commit = off
logging_collector = off
EOF
  fi
  chown "$owner" "$PG_RUN" 2>/dev/null || true
  if ! pg_running; then
    as_user "$owner" "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start >/dev/null
  fi
  # Role and database, once (idempotent).
  local psql=(env PGPASSWORD="$PG_PASSWORD" psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
  fi
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
  fi
}

pg_stop() {
  if pg_running; then as_user "$(pg_user)" "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; fi
}

redis_cli() { secrets; REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
redis_running() { redis_cli ping 2>/dev/null | grep -q PONG; }

redis_start() {
  secrets
  local owner; owner=$(redis_user)
  service_dir redis "$owner"; service_dir run "$owner"; resolve; mkdir -p "$REDIS_RUN" "$VAR/services"
  (umask 077; cat >"$REDIS_DIR/redis.conf" <<EOF
# written by scripts/services.sh
bind 127.0.0.1
port $REDIS_PORT
unixsocket $REDIS_RUN/redis.sock
unixsocketperm 700
protected-mode yes
requirepass $REDIS_PASSWORD
daemonize yes
pidfile $REDIS_RUN/redis.pid
logfile $REDIS_DIR/redis.log
dir $REDIS_DIR
save ""
appendonly no
maxmemory 256mb
maxmemory-policy noeviction
EOF
  )
  touch "$REDIS_DIR/redis.log"
  chown -R "$owner" "$REDIS_DIR" "$REDIS_RUN" 2>/dev/null || true; chmod 700 "$REDIS_DIR"
  if ! redis_running; then
    as_user "$owner" redis-server "$REDIS_DIR/redis.conf"
    for _ in $(seq 50); do redis_running && return 0; sleep 0.1; done
    say "Redis 未能启动，日志：$REDIS_DIR/redis.log"; exit 1
  fi
}

redis_stop() {
  if redis_running; then redis_cli shutdown nosave >/dev/null 2>&1 || true; fi
  for _ in $(seq 50); do redis_running || return 0; sleep 0.1; done
}

print_env() {
  secrets
  echo "DATABASE_URL=postgresql://$DB_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
  echo "REDIS_URL=redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT/0"
}

status() {
  local rc=0
  if pg_running; then echo "postgresql: running on 127.0.0.1:$PG_PORT (data $PGDATA)"; else echo "postgresql: stopped"; rc=1; fi
  if redis_running; then echo "redis: running on 127.0.0.1:$REDIS_PORT (data $REDIS_DIR)"; else echo "redis: stopped"; rc=1; fi
  return $rc
}

resolve
case "${1:-}" in
  install) install ;;
  start) install; pg_start; redis_start; status ;;
  stop) redis_stop; pg_stop; status || true ;;
  status) status ;;
  env) print_env ;;
  pg-start) pg_start ;;
  pg-stop) pg_stop ;;
  redis-restart) redis_stop; redis_start ;;
  *) say "usage: $0 install|start|stop|status|env|pg-start|pg-stop|redis-restart"; exit 2 ;;
esac
