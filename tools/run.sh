#!/usr/bin/env bash
# Start the demo: migrate, load demo data once, run the web server and the task
# worker side by side, print the address and logins. Ctrl-C stops both.
#
# Environment: PORT (default 8000), PYTHON (default .venv/bin/python), DEBUG (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-1}
# The server listens on every interface, so accept any host name in this demo.
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-*}
export PYTHONUNBUFFERED=1
# The demo has no mail server: e-mails to parents are written to var/mail/ to read.
export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}
# Text messages too go to files (var/sms/) unless an SMS provider is configured.
export SMS_FILE_PATH=${SMS_FILE_PATH:-var/sms}

pids=()

stop() {
    trap - INT TERM EXIT
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # The worker finishes its current task on SIGTERM; give both ten seconds.
    for _ in $(seq 50); do
        local alive=0
        for pid in "${pids[@]}"; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        [ "$alive" = 0 ] && break
        sleep 0.2
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap 'echo; echo "Stopping..."; stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

mkdir -p var
"$PY" manage.py migrate --noinput
"$PY" manage.py seed_demo --if-empty
# The absence protocol's first run, so that the demo's cases, tasks and DUO reports are there
# at once (the loop below runs it again; it fires each step only once).
"$PY" manage.py run_protocol

"$PY" manage.py runserver "0.0.0.0:$PORT" --noreload &
pids+=($!)
"$PY" manage.py db_worker --no-reload &
pids+=($!)
# What cron does in production: queue messages for unexplained absences after the grace
# period and register reminders, run the absence protocol, ask students who turned 18 who
# may follow along, and deliver what is due (retries included).
# The loop waits on its sleep, so that stopping the loop stops the sleep too.
(trap 'kill "$nap" 2>/dev/null; exit 0' TERM
 while true; do
    "$PY" manage.py run_notifications -v0 || true
    "$PY" manage.py run_protocol -v0 >/dev/null || true
    "$PY" manage.py ask_adult_consent -v0 || true
    "$PY" manage.py deliver_messages -v0 || true
    sleep 60 & nap=$!
    wait "$nap"
done) &
pids+=($!)

# Wait until the web server accepts connections (or has died).
for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 0.2
done

if kill -0 "${pids[0]}" 2>/dev/null; then
    url="http://localhost:$PORT/"
    echo
    "$PY" manage.py demo_logins --url "$url" || echo "aanwezig is running at $url"
    echo
    echo "E-mails to parents are written to var/mail/."
    echo "Press Ctrl-C to stop the web server and the task worker."
fi

# Returns when either process exits (or a trapped signal arrives).
set +e
wait -n "${pids[@]}"
status=$?
set -e
echo "A process stopped (exit code $status); stopping the others." >&2
stop
exit "$status"
