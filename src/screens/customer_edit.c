/* Editing a customer: the profile, identities (correct one, add one) and
 * consents (change one, record a new one), in one form saved as one
 * transaction. Every change carries what the editor saw — the profile's and
 * each identity's row version, the consent record in force — so a change
 * made meanwhile by someone else is refused, naming who and when, and the
 * form shows the record as it is now: nothing is silently overwritten.
 * Consent changes are appended with who, when and the source. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/customer.h"
#include "kontor/form.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { EDIT_Q_LOAD = 1, EDIT_Q_SAVE };

enum { F_FIRST, F_LAST, F_BIRTH, F_STREET, F_POSTCODE, F_CITY, F_COUNTRY, F_PROFILE };
#define EDIT_MAX_IDS 12
#define EDIT_MAX_CONSENTS 24
#define EDIT_MAX_FIELDS (F_PROFILE + EDIT_MAX_IDS + 3 + EDIT_MAX_CONSENTS + 4)

struct edit_identity {
    long long id;
    int version;
    char kind[16], value[520], source[48];
};

struct edit_consent {
    long long id;
    char purpose[16], channel[16];
    bool granted;
};

struct customer_edit {
    long long id;
    char section[16]; /* "", "identities", "consents": where the cursor starts */
    struct customer_view q;
    struct customer_save save;
    struct customer_header h;
    struct edit_identity ids[EDIT_MAX_IDS];
    int nids;
    struct edit_consent cons[EDIT_MAX_CONSENTS];
    int ncons;
    struct form_field fields[EDIT_MAX_FIELDS];
    char labels[EDIT_MAX_FIELDS][96];
    size_t nfields;
    /* where the parts of the form begin */
    size_t f_ids, f_new_kind, f_new_value, f_new_source;
    size_t f_cons, f_new_purpose, f_new_channel, f_new_granted, f_source;
    struct form *form;
    bool loading, saving;
    int changes;
};

static const char *const kind_choices[] = { "—", "email", "phone", "loyalty", "web_account",
                                            "marketplace_id" };
static const char *const purpose_choices[] = { "—", "newsletter", "sms", "post", "phone",
                                               "profiling", "app_push" };
/* Where data or a consent was given: customer service takes it by phone. */
static const char *const channel_choices[] = { "phone", "store", "web", "app", "marketplace",
                                               "social", "print" };
#define NCHOICES(a) (sizeof(a) / sizeof((a)[0]))

static const struct screen_key edit_keys[] = {
    { .key = KEYMAP_FN(KEY_F(2)), .name = "F2", .help = "save", .perm = PERM_CUSTOMERS_EDIT,
      .hint = true },
    { .key = 9, .name = "Tab", .help = "next field", .perm = PERM_CUSTOMERS_EDIT, .hint = true },
    { .key = ' ', .name = "Space", .help = "switch", .perm = PERM_CUSTOMERS_EDIT, .hint = true },
    { .key = 27, .name = "Esc", .help = "leave", .perm = PERM_CUSTOMERS_EDIT, .hint = true },
};

/* ---- validation (the database checks again) ---------------------------------- */

static bool edit_valid_country(const char *v, char **err)
{
    if (strlen(v) != 2 || !isalpha((unsigned char)v[0]) || !isalpha((unsigned char)v[1])) {
        *err = xstrdup("two letters: DE, AT, NL");
        return false;
    }
    return true;
}

static bool edit_valid_postcode(const char *v, char **err)
{
    size_t n = strlen(v);

    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != ' ' && *p != '-')
            n = 0;
    if (n < 2 || n > 12) {
        *err = xstrdup("2 to 12 letters, digits, spaces or dashes");
        return false;
    }
    return true;
}

static bool edit_valid_email(const char *v, char **err)
{
    const char *at = strchr(v, '@');

    if (at == NULL || at == v || strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL
        || v[strlen(v) - 1] == '.' || strpbrk(v, " \t") != NULL) {
        *err = xstrdup("not an e-mail address");
        return false;
    }
    return true;
}

static bool edit_valid_phone(const char *v, char **err)
{
    int digits = 0;

    for (const char *p = v; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (!strchr(" ()/.-", *p) && !(*p == '+' && p == v)) {
            *err = xstrdup("digits, spaces and + ( ) / . - only");
            return false;
        }
    }
    if (digits < 6 || digits > 15) {
        *err = xstrdup("6 to 15 digits");
        return false;
    }
    return true;
}

static bool edit_valid_loyalty(const char *v, char **err)
{
    int digits = 0;

    for (const char *p = v; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (*p != ' ') {
            *err = xstrdup("digits only");
            return false;
        }
    }
    if (digits < 8 || digits > 20) {
        *err = xstrdup("8 to 20 digits");
        return false;
    }
    return true;
}

static bool (*edit_validator(const char *kind))(const char *, char **)
{
    if (strcmp(kind, "email") == 0)
        return edit_valid_email;
    if (strcmp(kind, "phone") == 0)
        return edit_valid_phone;
    if (strcmp(kind, "loyalty") == 0)
        return edit_valid_loyalty;
    return NULL;
}

/* ---- building the form from what was loaded ------------------------------------- */

static size_t edit_add(struct customer_edit *ce, const char *label, enum form_kind kind, int width,
                       int max_len)
{
    size_t i = ce->nfields++;
    struct form_field *f = &ce->fields[i];

    snprintf(ce->labels[i], sizeof(ce->labels[i]), "%s", label);
    memset(f, 0, sizeof(*f));
    f->label = ce->labels[i];
    f->kind = kind;
    f->width = width;
    f->max_len = max_len;
    return i;
}

static size_t edit_add_choice(struct customer_edit *ce, const char *label,
                              const char *const *choices, size_t n)
{
    size_t i = edit_add(ce, label, FORM_CHOICE, 16, 0);

    ce->fields[i].choices = choices;
    ce->fields[i].nchoices = n;
    return i;
}

static void edit_read(struct customer_edit *ce, const PGresult *ids, const PGresult *cons)
{
    ce->nids = 0;
    for (int r = 0; ids != NULL && r < PQntuples(ids) && ce->nids < EDIT_MAX_IDS; r++) {
        struct edit_identity *e = &ce->ids[ce->nids++];
        e->id = db_value_ll(ids, r, CI_COL_ID);
        e->version = (int)db_value_ll(ids, r, CI_COL_VERSION);
        snprintf(e->kind, sizeof(e->kind), "%s", db_value(ids, r, CI_COL_KIND));
        snprintf(e->value, sizeof(e->value), "%s", db_value(ids, r, CI_COL_VALUE));
        text_copy(e->source, sizeof(e->source), db_value(ids, r, CI_COL_SOURCE));
    }
    ce->ncons = 0;
    for (int r = 0; cons != NULL && r < PQntuples(cons) && ce->ncons < EDIT_MAX_CONSENTS; r++) {
        struct edit_consent *c = &ce->cons[ce->ncons++];
        c->id = db_value_ll(cons, r, CC_COL_ID);
        snprintf(c->purpose, sizeof(c->purpose), "%s", db_value(cons, r, CC_COL_PURPOSE));
        snprintf(c->channel, sizeof(c->channel), "%s", db_value(cons, r, CC_COL_CHANNEL_CODE));
        c->granted = strcmp(db_value(cons, r, CC_COL_GRANTED), "t") == 0;
    }
}

static void edit_build_fields(struct customer_edit *ce, const PGresult *cons)
{
    static const struct {
        const char *label;
        enum form_kind kind;
        int width, max_len;
    } profile[F_PROFILE] = {
        [F_FIRST] = { "First name", FORM_TEXT, 30, 100 },
        [F_LAST] = { "Last name", FORM_TEXT, 30, 100 },
        [F_BIRTH] = { "Birth date", FORM_DATE, 12, 10 },
        [F_STREET] = { "Street", FORM_TEXT, 36, 200 },
        [F_POSTCODE] = { "Postcode", FORM_TEXT, 10, 12 },
        [F_CITY] = { "City", FORM_TEXT, 30, 100 },
        [F_COUNTRY] = { "Country", FORM_TEXT, 4, 2 },
    };
    char label[96];

    ce->nfields = 0;
    for (int i = 0; i < F_PROFILE; i++)
        edit_add(ce, profile[i].label, profile[i].kind, profile[i].width, profile[i].max_len);
    ce->fields[F_POSTCODE].validate = edit_valid_postcode;
    ce->fields[F_COUNTRY].validate = edit_valid_country;
    ce->f_ids = ce->nfields;
    for (int i = 0; i < ce->nids; i++) {
        const struct edit_identity *e = &ce->ids[i];
        snprintf(label, sizeof(label), "Identity: %s%s%s%s", customer_identity_kind_label(e->kind),
                 e->source[0] ? " (" : "", e->source, e->source[0] ? ")" : "");
        size_t f = edit_add(ce, label, FORM_TEXT, 36, 200);
        ce->fields[f].required = true;
        ce->fields[f].validate = edit_validator(ce->ids[i].kind);
    }
    ce->f_new_kind = edit_add_choice(ce, "New identity: kind", kind_choices,
                                     NCHOICES(kind_choices));
    ce->f_new_value = edit_add(ce, "New identity: value", FORM_TEXT, 36, 200);
    ce->f_new_source = edit_add_choice(ce, "New identity: from", channel_choices,
                                       NCHOICES(channel_choices));
    ce->f_cons = ce->nfields;
    for (int i = 0; i < ce->ncons; i++) {
        snprintf(label, sizeof(label), "Consent: %s via %s", ce->cons[i].purpose,
                 db_value(cons, i, CC_COL_CHANNEL));
        edit_add(ce, label, FORM_YESNO, 8, 0);
    }
    ce->f_new_purpose = edit_add_choice(ce, "New consent: purpose", purpose_choices,
                                        NCHOICES(purpose_choices));
    ce->f_new_channel = edit_add_choice(ce, "New consent: via", channel_choices,
                                        NCHOICES(channel_choices));
    ce->f_new_granted = edit_add(ce, "New consent: given", FORM_YESNO, 8, 0);
    ce->f_source = edit_add(ce, "Source of consent changes", FORM_TEXT, 36, 120);
}

static void edit_fill(struct customer_edit *ce)
{
    const struct customer_header *h = &ce->h;
    const char *values[F_PROFILE] = { h->first_name, h->last_name, h->birthdate, h->street,
                                      h->postcode, h->city, h->country };

    for (int i = 0; i < F_PROFILE; i++)
        form_set(ce->form, (size_t)i, values[i]);
    for (int i = 0; i < ce->nids; i++)
        form_set(ce->form, ce->f_ids + (size_t)i, ce->ids[i].value);
    for (int i = 0; i < ce->ncons; i++)
        form_set(ce->form, ce->f_cons + (size_t)i, ce->cons[i].granted ? "true" : "false");
    form_set(ce->form, ce->f_new_granted, "true");
}

/* The cursor starts at the section the view asked for (i, c). */
static void edit_focus_section(struct customer_edit *ce)
{
    size_t to = 0;

    if (strcmp(ce->section, "identities") == 0)
        to = ce->nids > 0 ? ce->f_ids : ce->f_new_kind;
    else if (strcmp(ce->section, "consents") == 0)
        to = ce->ncons > 0 ? ce->f_cons : ce->f_new_purpose;
    while (form_focus(ce->form) < to)
        form_key(ce->form, 9, ACTION_NEXT_FIELD);
}

static void edit_take(struct screen *s, struct customer_edit *ce, struct db_stmt *st, size_t n)
{
    if (n < 3 || !customer_header_read(st[CUSTOMER_PART_HEADER].res, &ce->h)) {
        tui_message(s->tui, TUI_MSG_ERROR, "There is no customer %lld.", ce->id);
        tui_close(s);
        return;
    }
    if (ce->h.erased_at[0] != '\0') {
        tui_message(s->tui, TUI_MSG_WARN, "Customer %lld was erased: there is nothing to edit.",
                    ce->id);
        tui_close(s);
        return;
    }
    if (ce->h.merged_into != 0) {
        tui_message(s->tui, TUI_MSG_WARN, "Customer %lld was merged into %lld: edit that record.",
                    ce->id, ce->h.merged_into);
        tui_close(s);
        return;
    }
    edit_read(ce, st[CUSTOMER_PART_IDENTITIES].res, st[CUSTOMER_PART_CONSENTS].res);
    if (ce->form != NULL)
        form_free(ce->form);
    edit_build_fields(ce, st[CUSTOMER_PART_CONSENTS].res);
    ce->form = form_new(ce->fields, ce->nfields);
    edit_fill(ce);
    edit_focus_section(ce);
    tui_set_title(s, "Edit customer %lld · %s %s   v%d", ce->id, ce->h.first_name,
                  ce->h.last_name, ce->h.version);
}

static void edit_load(struct screen *s)
{
    struct customer_edit *ce = s->state;
    size_t n = 0;
    struct db_stmt *st = customer_edit_load_stmts(&ce->q, ce->id, &n);

    ce->loading = true;
    tui_query(s, EDIT_Q_LOAD, st, n);
}

static bool edit_open(struct screen *s, const char *args, char **err)
{
    struct customer_edit *ce = s->state;
    char id[32] = "", section[32] = "";

    sscanf(args, "%31s %31s", id, section);
    if (!customer_id_parse(id, &ce->id)) {
        *err = xstrdup("Which customer? Give the number, e.g. :customer-edit 48213");
        return false;
    }
    if (section[0] && strcmp(section, "identities") != 0 && strcmp(section, "consents") != 0) {
        *err = xasprintf("\"%s\": say identities or consents (or nothing for the profile)",
                         section);
        return false;
    }
    text_copy(ce->section, sizeof(ce->section), section);
    tui_set_title(s, "Edit customer %lld", ce->id);
    edit_load(s);
    return true;
}

/* ---- saving ---------------------------------------------------------------------- */

static bool edit_changed(struct customer_edit *ce, size_t f, const char *was)
{
    return strcmp(form_value(ce->form, f), was) != 0;
}

static bool edit_profile_changed(struct customer_edit *ce)
{
    const struct customer_header *h = &ce->h;
    const char *was[F_PROFILE] = { h->first_name, h->last_name, h->birthdate, h->street,
                                   h->postcode, h->city, h->country };

    for (int i = 0; i < F_PROFILE; i++)
        if (edit_changed(ce, (size_t)i, was[i]))
            return true;
    return false;
}

static void edit_add_profile(struct customer_edit *ce)
{
    struct customer_profile p;

    text_copy(p.first_name, sizeof(p.first_name), form_value(ce->form, F_FIRST));
    text_copy(p.last_name, sizeof(p.last_name), form_value(ce->form, F_LAST));
    text_copy(p.birthdate, sizeof(p.birthdate), form_value(ce->form, F_BIRTH));
    text_copy(p.street, sizeof(p.street), form_value(ce->form, F_STREET));
    text_copy(p.postcode, sizeof(p.postcode), form_value(ce->form, F_POSTCODE));
    text_copy(p.city, sizeof(p.city), form_value(ce->form, F_CITY));
    text_copy(p.country, sizeof(p.country), form_value(ce->form, F_COUNTRY));
    customer_save_profile(&ce->save, ce->h.version, &p);
}

/* The consents: changed rows and the new one; false (with a message on
 * the form) when something is missing. */
static bool edit_add_consents(struct customer_edit *ce)
{
    const char *source = form_value(ce->form, ce->f_source);
    int purpose = form_choice(ce->form, ce->f_new_purpose);
    int changed = 0;

    for (int i = 0; i < ce->ncons; i++) {
        bool now = form_bool(ce->form, ce->f_cons + (size_t)i);
        if (now == ce->cons[i].granted)
            continue;
        customer_save_consent(&ce->save, ce->cons[i].purpose, ce->cons[i].channel, now, source,
                              ce->cons[i].id);
        changed++;
    }
    if (purpose > 0) {
        const char *p = purpose_choices[purpose];
        const char *ch = form_value(ce->form, ce->f_new_channel);
        for (int i = 0; i < ce->ncons; i++)
            if (strcmp(ce->cons[i].purpose, p) == 0 && strcmp(ce->cons[i].channel, ch) == 0) {
                form_set_error(ce->form, ce->f_new_purpose, "listed above: change it there");
                return false;
            }
        customer_save_consent(&ce->save, p, ch, form_bool(ce->form, ce->f_new_granted), source, 0);
        changed++;
    }
    if (changed > 0 && source[strspn(source, " ")] == '\0') {
        form_set_error(ce->form, ce->f_source, "where was it given? e.g. phone call");
        return false;
    }
    ce->changes += changed;
    return true;
}

static bool edit_collect(struct customer_edit *ce)
{
    int kind = form_choice(ce->form, ce->f_new_kind);
    const char *value = form_value(ce->form, ce->f_new_value);

    customer_save_begin(&ce->save, ce->id);
    ce->changes = 0;
    if (edit_profile_changed(ce)) {
        edit_add_profile(ce);
        ce->changes++;
    }
    for (int i = 0; i < ce->nids; i++) {
        size_t f = ce->f_ids + (size_t)i;
        if (!edit_changed(ce, f, ce->ids[i].value))
            continue;
        /* typed by staff: not verified by the customer */
        customer_save_identity(&ce->save, ce->ids[i].id, ce->ids[i].version, ce->ids[i].kind,
                               form_value(ce->form, f), "", false);
        ce->changes++;
    }
    if (kind > 0 || value[0] != '\0') {
        if (kind <= 0) {
            form_set_error(ce->form, ce->f_new_kind, "which kind is it?");
            return false;
        }
        if (value[strspn(value, " ")] == '\0') {
            form_set_error(ce->form, ce->f_new_value, "type the value");
            return false;
        }
        customer_save_identity(&ce->save, 0, 0, kind_choices[kind], value,
                               form_value(ce->form, ce->f_new_source), false);
        ce->changes++;
    }
    return edit_add_consents(ce);
}

static void edit_save(struct screen *s, struct customer_edit *ce)
{
    size_t n = 0;
    struct db_stmt *st;

    if (!edit_collect(ce))
        return;
    st = customer_save_stmts(&ce->save, &n);
    if (n == 0) {
        tui_message(s->tui, TUI_MSG_INFO, "Nothing changed.");
        return;
    }
    ce->saving = true;
    tui_query(s, EDIT_Q_SAVE, st, n);
}

static void edit_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                        const struct db_error *err)
{
    struct customer_edit *ce = s->state;

    ce->loading = ce->saving = false;
    if (tag == EDIT_Q_LOAD) {
        if (err != NULL) {
            tui_db_error(s->tui, err);
            if (ce->form == NULL)
                tui_close(s);
            return;
        }
        edit_take(s, ce, stmts, n);
        return;
    }
    if (err == NULL) {
        tui_message(s->tui, TUI_MSG_OK, "Customer %lld saved (%d change%s).", ce->id, ce->changes,
                    ce->changes == 1 ? "" : "s");
        tui_close(s);
        return;
    }
    if (err->cls == DB_ERR_CONFLICT) {
        char *text = xasprintf("%s. The form now shows the record as it is; make your change "
                               "again if it still applies.", err->message ? err->message : "");
        text[0] = (char)toupper((unsigned char)text[0]);
        tui_alert(s->tui, "Changed meanwhile", text);
        free(text);
        edit_load(s);
        return;
    }
    if (err->cls == DB_ERR_CONNECTION || err->cls == DB_ERR_CANCELED || err->cls == DB_ERR_TIMEOUT)
        tui_db_error(s->tui, err);
    else
        tui_alert(s->tui, "Not saved", err->message ? err->message : "The change was refused.");
}

/* ---- keys and drawing ----------------------------------------------------------------- */

static bool edit_key(struct screen *s, int key, enum action a)
{
    struct customer_edit *ce = s->state;

    if (ce->form == NULL || ce->saving || ce->loading)
        return key != 27 && a != ACTION_BACK && a != ACTION_CANCEL;
    switch (tui_form_key(s, ce->form, key, a, "Leave without saving your changes?")) {
    case FORM_SAVE:
        edit_save(s, ce);
        return true;
    case FORM_NONE:
        return false;
    default:
        return true;
    }
}

static void edit_draw(struct screen *s, WINDOW *w)
{
    struct customer_edit *ce = s->state;
    int rows, cols, y, x;

    getmaxyx(w, rows, cols);
    if (ce->form == NULL) {
        tui_print(w, 1, 2, cols - 4, THEME_DIM, TEXT_ALIGN_LEFT, "Loading…");
        return;
    }
    tui_print(w, 0, 2, cols - 4, THEME_HEADER, TEXT_ALIGN_LEFT,
              "F2 saves all changes at once; a change made meanwhile is never overwritten");
    form_draw(ce->form, w, 2, 2, rows - 3, cols - 4);
    if (ce->saving || ce->loading)
        tui_print(w, rows - 1, 2, cols - 4, THEME_DIM, TEXT_ALIGN_LEFT,
                  ce->saving ? "Saving…" : "Loading…");
    if (form_cursor(ce->form, &y, &x)) {
        wmove(w, y, x);
        curs_set(1);
    }
}

static void edit_close(struct screen *s)
{
    struct customer_edit *ce = s->state;

    curs_set(0);
    if (ce->form != NULL)
        form_free(ce->form);
    ce->form = NULL;
}

const struct screen_ops screen_customer_edit = {
    .name = "customer-edit",
    .title = "Edit customer",
    .help = "change a customer's profile, identities and consents",
    .args = "ID [identities|consents]",
    .perm = PERM_CUSTOMERS_EDIT,
    .in_palette = true,
    .state_size = sizeof(struct customer_edit),
    .keys = edit_keys,
    .nkeys = sizeof(edit_keys) / sizeof(edit_keys[0]),
    .open = edit_open,
    .draw = edit_draw,
    .key = edit_key,
    .result = edit_result,
    .close = edit_close,
};
