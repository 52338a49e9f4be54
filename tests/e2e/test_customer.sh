# The customer view (scenarios 2, 4 and 5 of SCENARIOS.md): the journey
# across channels, two agents changing the same phone number, and a privacy
# request — export to a file, then erasure by a manager.

customer_view_open() {   # customer_view_open USER ID
    e2e_start 100 30 || return 1
    e2e_sign_in "$1" demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "customer-view $2"; e2e_keys Enter
}

# A staff member's statement in a transaction of their own, as the console
# runs it (SET LOCAL ROLE, session_begin) — the second agent of scenario 4.
customer_view_as() {     # customer_view_as USERNAME SQL
    tok=$(e2e_sql "select token from kontor.auth_finish('$1', true, 'e2e')")
    role=$(e2e_sql "select role from kontor.staff where username = '$1'")
    psql -X -q -tA -v ON_ERROR_STOP=1 -d "$E2E_DB" >/dev/null <<SQL
begin;
set local role kontor_$role;
select kontor.session_begin('$tok');
$2;
commit;
SQL
}

test_customer_view_journey_across_channels() {
    customer_view_open service 1 || return 1
    e2e_wait "Customer 1 · Jürgen Müller" || return 1
    e2e_wait "e-mail juergen.mueller@example.de (web)" || return 1
    e2e_wait "loyalty card 4000 1234 5678 (store)" || return 1
    e2e_wait "newsletter ✓ Web (web signup form" || return 1
    e2e_wait "sms ✗ Web" || return 1
    e2e_wait "5 orders (Web 2, App 2, Stores 1)" || return 1
    e2e_wait "1 return (20%)" || return 1
    # one journey: touchpoints, orders in the app, the web and the store, the return
    e2e_wait "Journey · 11 entries, newest first" || return 1
    e2e_wait "scanned · Spring Sneakers 2026 · Poster Bremen Hbf (QR)" || return 1
    e2e_wait "clicked · November Edit" || return 1
    e2e_wait "order K-100003 · in store Bremen" || return 1
    e2e_wait "return R-4TQ8ZP of K-100002 at Hamburg" || return 1
    # Enter opens the entry's record: the newest is the app order
    e2e_keys Enter
    e2e_wait "Order K-100001" || return 1
    e2e_keys Escape
    e2e_wait "Journey · 11 entries" || return 1
    # the return, six rows down
    e2e_keys j j j j j
    e2e_wait "▶ " || return 1
    e2e_screen | grep -q "▶.*return R-4TQ8ZP" || fail "the return is not selected"
    e2e_keys Enter
    e2e_wait "Return R-4TQ8ZP" || return 1
    e2e_keys Escape
    # a note written meanwhile shows on top after a refresh, its escape
    # sequence shown, not obeyed
    e2e_wait "Journey · 11 entries" || return 1
    e2e_sql "insert into kontor.customer_note (customer_id, body, created_by)
             values (1, 'asked about Spring Sneakers' || chr(27) || '[2J sizes', 3)" >/dev/null
    e2e_keys C-l
    e2e_wait "Journey · 12 entries" || return 1
    e2e_wait "Note         Ben Scholz: asked about Spring Sneakers^[[2J sizes" || return 1
    # a clerk: names and masked contact data, orders and returns, nothing else
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME" 2>/dev/null
    customer_view_open clerk 1 || return 1
    e2e_wait "phone ***567 · e-mail j***@example.de" || return 1
    e2e_wait "(orders and returns)" || return 1
    e2e_screen | grep -q "juergen.mueller\|Consents\|Schwachhauser\|scanned\|Ben Scholz" &&
        fail "a clerk sees more than names and masked contact data"
    e2e_keys e
    e2e_wait "Your role may not do that." || return 1
    return 0
}

test_customer_view_two_agents_change_the_phone() {
    e2e_sql "update kontor.staff set active = true where username = 'carla.dietz'" >/dev/null
    customer_view_open service 1 || return 1
    e2e_wait "phone +49 421 1234567 (web)" || return 1
    e2e_keys i
    e2e_wait "Edit customer 1 · Jürgen Müller" || return 1
    e2e_wait "▶ Identity: web account" || return 1
    e2e_keys Tab Tab
    e2e_wait "▶ Identity: phone" || return 1
    e2e_keys C-u; e2e_type "0421 98 76 54"
    # meanwhile Carla Dietz saves another number for the same customer
    customer_view_as carla.dietz "select kontor.customer_identity_save(1, i.id, i.version, null,
        '+49 421 7654321', null, false) from kontor.customer_identity i
        where i.customer_id = 1 and i.kind = 'phone'" || fail "Carla's save failed"
    e2e_keys F2
    # the second save is told who changed it and when, and sees the new value
    e2e_wait "Changed meanwhile" || return 1
    e2e_wait "changed by Carla Dietz at" || return 1
    e2e_wait "+49 421 7654321" || return 1
    [ "$(e2e_sql "select value from kontor.customer_identity where customer_id = 1 and kind = 'phone'")" \
      = "+49 421 7654321" ] || fail "Carla's number was overwritten"
    e2e_keys Escape
    e2e_gone "Changed meanwhile" || return 1
    e2e_screen | grep -q "Identity: phone (web)  *+49 421 7654321" || fail "the form does not show the new number"
    # and decides: the number the caller gave is the right one
    e2e_keys Tab Tab
    e2e_wait "▶ Identity: phone" || return 1
    e2e_keys C-u; e2e_type "0421 98 76 54"; e2e_keys F2
    e2e_wait "Customer 1 saved (1 change)." || return 1
    e2e_wait "phone 0421 98 76 54 (web, unverified)" || return 1
    row=$(e2e_sql "select i.value || ' ' || i.version || ' ' || s.username from kontor.customer_identity i
                   join kontor.staff s on s.id = i.updated_by where i.customer_id = 1 and i.kind = 'phone'")
    [ "$row" = "0421 98 76 54 3 service" ] || fail "phone row: $row"
    # a consent withdrawn on the phone keeps who, when and the source
    e2e_keys c
    e2e_wait "▶ Consent: newsletter via Web" || return 1
    e2e_keys Space
    e2e_keys F2
    e2e_wait "where was it given?" || return 1
    e2e_type "phone call"; e2e_keys F2
    e2e_wait "Customer 1 saved (1 change)." || return 1
    e2e_wait "newsletter ✗ Web (phone call," || return 1
    row=$(e2e_sql "select c.granted || ' ' || c.source || ' ' || s.username from kontor.consent_current c
                   join kontor.staff s on s.id = c.recorded_by where c.customer_id = 1 and c.purpose = 'newsletter'")
    [ "$row" = "false phone call service" ] || fail "consent: $row"
}

test_customer_view_privacy_export_then_erase() {
    file="$E2E_OUT/customer-1-$$.json"
    rm -f "$file"
    customer_view_open service 1 || return 1
    e2e_wait "Journey · 11 entries" || return 1
    e2e_keys x
    e2e_wait "File name" || return 1
    e2e_type "$file"; e2e_keys Enter
    e2e_wait "Customer 1 exported to" || return 1
    [ -f "$file" ] || fail "no file $file"
    [ "$(stat -c %a "$file")" = 600 ] || fail "mode $(stat -c %a "$file")"
    grep -q '"juergen.mueller@example.de"' "$file" || fail "no e-mail in the export"
    grep -q '"R-4TQ8ZP"' "$file" || fail "no return in the export"
    grep -q '"web signup form"' "$file" || fail "no consent in the export"
    grep -q '"tracking_code": "NOV-NL"' "$file" || fail "no interaction in the export"
    if command -v python3 >/dev/null 2>&1; then
        python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['orders']) == 5" "$file" ||
            fail "the export is not the JSON document expected"
    fi
    # the same name again: asked before anything is replaced
    size=$(stat -c %s "$file")
    e2e_keys x
    e2e_wait "File name" || return 1
    e2e_type "$file"; e2e_keys Enter
    e2e_wait "Replace the file?" || return 1
    e2e_keys n
    e2e_wait "Nothing was exported." || return 1
    [ "$(stat -c %s "$file")" = "$size" ] || fail "the file changed"
    [ "$(e2e_sql "select count(*) from kontor.audit_event a join kontor.staff s on s.id = a.staff_id
                  where a.action = 'customer.exported' and s.username = 'service'")" = 1 ] ||
        fail "the export is not audited once"
    # service may not erase
    e2e_keys E
    e2e_wait "Your role may not do that." || return 1
    # later the customer asks to be forgotten: a manager erases
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME" 2>/dev/null
    orders=$(e2e_sql "select count(*) from kontor.sales_order where customer_id = 1")
    customer_view_open manager 1 || return 1
    e2e_wait "Journey · 11 entries" || return 1
    e2e_keys E
    e2e_wait "Erase the customer" || return 1
    e2e_type "customer's request by e-mail"; e2e_keys Enter
    e2e_wait "for good?" || return 1
    e2e_keys y
    e2e_wait "Customer 1 erased" || return 1
    e2e_wait "ERASED" || return 1
    e2e_wait "Identities   —" || return 1
    e2e_wait "newsletter ✗ Web (erasure," || return 1
    e2e_gone "juergen.mueller" || return 1
    e2e_gone "Schwachhauser" || return 1
    row=$(e2e_sql "select first_name || '|' || last_name || '|' || coalesce(street, '-') || '|' ||
                          (select count(*) from kontor.customer_identity where customer_id = 1) || '|' ||
                          (select count(*) from kontor.consent_current where customer_id = 1 and granted) || '|' ||
                          (select count(*) from kontor.sales_order where customer_id = 1)
                   from kontor.customer where id = 1")
    [ "$row" = "|(erased)|-|0|0|$orders" ] || fail "after erasure: $row"
    [ "$(e2e_sql "select a.after ->> 'reason' from kontor.audit_event a where a.action = 'customer.erased'")" \
      = "customer's request by e-mail" ] || fail "the erasure is not audited"
    # nothing personal to edit any more
    e2e_keys e
    e2e_wait "was erased: there is nothing to edit" || return 1
    # and the batch command refuses to overwrite without --force
    printf '[batch]\nuser = service\npassword_file = %s\n' "$E2E_OUT/pw-$$" >"$E2E_OUT/batch-$$.ini"
    printf 'demo\n' >"$E2E_OUT/pw-$$"; chmod 600 "$E2E_OUT/pw-$$"
    PGDATABASE=$E2E_DB "$KONTOR_BIN" --config "$E2E_OUT/batch-$$.ini" customer export 1 --output "$file" \
        2>"$E2E_OUT/cli-$$.err" && fail "overwrote without --force"
    grep -q "exists: give --force" "$E2E_OUT/cli-$$.err" || fail "$(cat "$E2E_OUT/cli-$$.err")"
    PGDATABASE=$E2E_DB "$KONTOR_BIN" --config "$E2E_OUT/batch-$$.ini" customer export 1 --output "$file" \
        --force 2>/dev/null || fail "kontor customer export failed"
    [ "$(stat -c %a "$file")" = 600 ] || fail "mode after --force $(stat -c %a "$file")"
    grep -q '"(erased)"' "$file" || fail "the new export does not show the erasure"
    grep -q "juergen" "$file" && fail "the export after erasure still holds the e-mail"
    rm -f "$file" "$E2E_OUT/pw-$$" "$E2E_OUT/batch-$$.ini" "$E2E_OUT/cli-$$.err"
    return 0
}
