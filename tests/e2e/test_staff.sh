# Staff accounts in the console (scenario 7) and the palette's refusal.

test_palette_refuses_a_screen_the_role_may_not_open() {
    e2e_start 100 30 || return 1
    e2e_sign_in clerk demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type staff; e2e_keys Enter
    e2e_wait "Your role (clerk) may not open staff." || return 1
    e2e_screen | grep -q "Staff · all accounts" && fail "the staff screen opened"
    return 0
}

test_scenario7_new_clerk_lockout_unlock() {
    # An admin creates the account for a new clerk at the Hamburg store.
    e2e_start 100 30 || return 1
    e2e_sign_in admin demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type staff; e2e_keys Enter
    e2e_wait "Staff · all accounts" || return 1
    e2e_keys n
    e2e_wait "New staff account" || return 1
    e2e_type lena; e2e_keys Tab; e2e_type "Lena Vogt"; e2e_keys Tab Tab
    e2e_type HH-01; e2e_keys Tab; e2e_type "Start-2026"
    e2e_keys F2
    e2e_wait "Account lena created" || return 1
    e2e_wait "must change password" || return 1
    e2e_keys F10; e2e_wait "__EXIT=0" || return 1
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME"

    # First sign-in: the password must be changed.
    e2e_start 100 30 || return 1
    e2e_sign_in lena Start-2026
    e2e_wait "You must choose a new password" || return 1
    e2e_type short; e2e_keys Enter; e2e_type short; e2e_keys Enter
    e2e_wait "at least 8 characters" || return 1
    e2e_type "Hamburg-Elbe-7"; e2e_keys Enter; e2e_type "Hamburg-Elbe-7"; e2e_keys Enter
    e2e_wait "Waiting for you" || return 1
    e2e_wait "lena · clerk" || return 1
    e2e_keys F10; e2e_wait "__EXIT=0" || return 1
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME"

    # Five wrong passwords lock the account.
    e2e_start 100 30 || return 1
    e2e_type lena; e2e_keys Enter
    for i in 1 2 3 4 5; do e2e_type "guess$i"; e2e_keys Enter; done
    e2e_wait "locked after too many failed sign-ins" || return 1
    e2e_keys F10; e2e_wait "__EXIT=0" || return 1
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME"

    # The admin unlocks it from the staff screen.
    e2e_start 100 30 || return 1
    e2e_sign_in admin demo
    e2e_wait "Waiting for you" || return 1
    e2e_wait "1 accounts locked" || return 1
    e2e_keys Enter
    e2e_wait "Staff · all accounts" || return 1
    e2e_keys /; e2e_type lena; e2e_keys Enter
    e2e_wait "LOCKED" || return 1
    e2e_keys u
    e2e_wait "Unlock lena?" || return 1
    e2e_keys y
    e2e_wait "lena is unlocked." || return 1
    e2e_gone "LOCKED" || return 1
    e2e_keys F10; e2e_wait "__EXIT=0" || return 1
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME"

    e2e_start 100 30 || return 1
    e2e_sign_in lena "Hamburg-Elbe-7"
    e2e_wait "Waiting for you" || return 1

    # Every sign-in, failure and change is in the audit log, and it verifies.
    for a in auth.success auth.failure auth.locked staff.password_changed; do
        n=$(e2e_sql "select count(*) from kontor.audit_event where action = '$a'")
        [ "$n" -ge 1 ] || fail "no $a event in the audit log"
    done
    [ "$(e2e_sql "select ok from kontor.audit_verify()")" = t ] || fail "audit chain broken"
}

# Leaving a form with unsaved changes asks first; "n" keeps what was typed,
# "y" leaves and saves nothing; an untouched form closes at once.
test_staff_add_asks_before_discarding() {
    e2e_start 100 30 || return 1
    e2e_sign_in admin demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type staff-add; e2e_keys Enter
    e2e_wait "New staff account" || return 1
    e2e_keys Escape
    e2e_gone "New staff account" || return 1
    e2e_keys ':'; e2e_type staff-add; e2e_keys Enter
    e2e_wait "New staff account" || return 1
    e2e_type mara
    e2e_keys Escape
    e2e_wait "Discard the new account?" || return 1
    e2e_keys n
    e2e_gone "Discard the new account?" || return 1
    e2e_wait "mara" || return 1
    e2e_keys Escape
    e2e_wait "Discard the new account?" || return 1
    e2e_keys y
    e2e_gone "New staff account" || return 1
    [ "$(e2e_sql "select count(*) from kontor.staff where username = 'mara'")" = 0 ] ||
        { fail "the discarded account was saved"; return 1; }
}
