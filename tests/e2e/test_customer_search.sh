# Customer search (scenario 2 of SCENARIOS.md: a caller is found however
# the name is spelt or the number is written), and what a clerk sees.

cs_start() {
    e2e_start 100 30 || return 1
    e2e_sign_in "$1" demo
    e2e_wait "Waiting for you" || return 1
}

cs_search() {
    e2e_keys ':'; e2e_type "customer $1"; e2e_keys Enter
}

# The selected (first) row of the list.
cs_selected() { e2e_screen | grep -F '▶' | head -1; }

test_customer_search_misspelt_name_finds_juergen_first() {
    cs_start service || return 1
    # "Muller" for Müller: Jürgen Müller first, his duplicate record next.
    cs_search Muller
    e2e_wait "Customers · “Muller” ·" || return 1
    e2e_wait "Jürgen Müller" || return 1
    cs_selected | grep -q "Jürgen Müller" || fail "Jürgen Müller is not first"
    e2e_wait "Juergen Mueller" || return 1
    e2e_wait "juergen.mueller@example" || return 1
    e2e_wait "name" || return 1
    # A misspelling too, and Enter opens the one selected.
    e2e_keys '/'; e2e_type "Jurgen Müler"; e2e_keys Enter
    e2e_wait "Customers · “Jurgen Müler” ·" || return 1
    e2e_wait "sounds like" || return 1
    cs_selected | grep -q "Jürgen Müller" || fail "Jürgen Müller is not first for a misspelling"
    e2e_keys Enter
    e2e_wait "Customer 1 · Jürgen Müller" || return 1
    # Back to the list, where the search still stands.
    e2e_keys Escape
    e2e_wait "Customers · “Jurgen Müler” ·" || return 1
}

test_customer_search_phone_in_any_format() {
    cs_start service || return 1
    # A fragment of the number as the caller reads it out.
    cs_search 1234567
    e2e_wait "Customers · “1234567” ·" || return 1
    e2e_wait "phone +49 421 1234567" || return 1
    cs_selected | grep -q "Jürgen Müller" || fail "Jürgen Müller is not first for 1234567"
    # Written another way: both of his records have it, so the list shows both.
    e2e_keys '/'; e2e_type "0421/1234567"; e2e_keys Enter
    e2e_wait "Customers · “0421/1234567” · 2 found" || return 1
    e2e_wait "phone 0421 / 123 45 67" || return 1
    # A number only one customer has opens that customer at once.
    cs_search "0049 40 7654321"
    e2e_wait "Customer 3 · Katharina Schröder" || return 1
    # So do an order number and a loyalty card with spaces.
    cs_search K-100001
    e2e_wait "Customer 1 · Jürgen Müller" || return 1
    cs_search "4000 1000 0009"
    e2e_wait "Customer 9 · Sabine Köhler" || return 1
}

test_customer_search_clerk_sees_masked_contact() {
    cs_start clerk || return 1
    cs_search "Jürgen Müller"
    e2e_wait "Customers · “Jürgen Müller” ·" || return 1
    e2e_wait "j***@example.de · ***567" || return 1
    cs_selected | grep -q "Jürgen Müller" || fail "Jürgen Müller is not first"
    e2e_screen | grep -q "juergen.mueller@example" && fail "a clerk sees the e-mail address"
    e2e_screen | grep -q "1234567" && fail "a clerk sees the phone number"
    # Phone numbers are not a clerk's way to find people (the database says so).
    e2e_keys '/'; e2e_type "+49 421 1234567"; e2e_keys Enter
    e2e_wait "Nobody found" || return 1
    # The loyalty card at the counter is.
    e2e_keys '/'; e2e_type "4000 1234 5678"; e2e_keys Enter
    e2e_wait "Customer 1 · Jürgen Müller" || return 1
    e2e_screen | grep -q "juergen.mueller@example" && fail "a clerk sees the e-mail address"
    return 0
}

test_customer_search_empty_and_narrow() {
    e2e_start 80 24 || return 1
    e2e_sign_in service demo
    e2e_wait "Waiting for you" || return 1
    # No text: the search line is open, with what can be typed.
    e2e_keys ':'; e2e_type customer; e2e_keys Enter
    e2e_wait "Type a name, phone number" || return 1
    e2e_type "Schroeder"
    e2e_wait "Katharina Schröder" || return 1
    e2e_keys Enter
    e2e_wait "Customers · “Schroeder" || return 1
    cs_selected | grep -q "Katharina Schröder" || fail "Katharina Schröder is not first"
    # / starts a new search; Esc leaves the search line, then the screen.
    e2e_keys '/'
    e2e_wait "Type a name, phone number" || return 1
    e2e_type "Lena Vogt"; e2e_keys Enter
    e2e_wait "Customers · “Lena Vogt" || return 1
    cs_selected | grep -q "Lena Vogt" || fail "Lena Vogt is not first"
    e2e_keys Escape
    e2e_wait "Press / and type a name" || return 1
    e2e_keys Escape
    e2e_wait "Waiting for you" || return 1
}
