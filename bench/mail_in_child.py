"""``forge ARGS`` as bench/mail_in.py ``--layout processes`` runs ``forge
mail-in`` and ``forge worker``: the forge's own command (``forge.cli.main``),
with each thread's native id and name appended to ``$FORGE_BENCH_THREADS_FILE``
as it starts, so that the bench can split the process's CPU by thread from
``/proc/PID/task`` (Python does not give the kernel its threads' names).

    FORGE_BENCH_THREADS_FILE=FILE python bench/mail_in_child.py worker --config INI
"""
import os
import sys
import threading


def record_threads(path):
    out = open(path, "a", buffering=1)
    lock = threading.Lock()

    def note(thread):
        with lock:
            out.write("%d\t%s\n" % (threading.get_native_id(), thread.name))
    note(threading.current_thread())
    bootstrap = threading.Thread._bootstrap_inner

    def bootstrap_inner(self):
        note(self)          # in the new thread, under the name it starts with
        return bootstrap(self)
    threading.Thread._bootstrap_inner = bootstrap_inner


if __name__ == "__main__":
    record_threads(os.environ["FORGE_BENCH_THREADS_FILE"])
    from forge.cli import main
    main(args=sys.argv[1:], prog_name="forge")
