// Every shell the tests start — a `shell` polecat (its preset runs $SHELL), a tmux session of an
// end-to-end test — is /bin/sh, never the user's login shell. The machine's ~/.bashrc can run
// slow start-up work that holds a lock (e.g. `pyenv rehash` under ~/.pyenv/shims): a test that
// kills a shell mid-start-up leaves that lock behind, and every later bash waits on it, which a
// test sees as a polecat that never shows its prompt. /bin/sh reads no rc file when it is not
// a login shell and $ENV is unset.
process.env.SHELL = '/bin/sh';
delete process.env.ENV;
