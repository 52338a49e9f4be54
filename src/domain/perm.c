/* The permission table (perm.h) turned into look-ups. */
#include "kontor/perm.h"

static const struct {
    const char *name;
    unsigned roles;
    const char *help;
} perms[PERM_COUNT] = {
#define PERM_ROW(e, n, r, h) [PERM_##e] = { .name = n, .roles = r, .help = h },
    PERMS(PERM_ROW)
#undef PERM_ROW
};

bool perm_allows(enum db_role role, enum perm p)
{
    return p < PERM_COUNT && role < DB_ROLE_COUNT && (perms[p].roles & (1u << role)) != 0;
}

const char *perm_name(enum perm p)
{
    return p < PERM_COUNT ? perms[p].name : "?";
}

const char *perm_help(enum perm p)
{
    return p < PERM_COUNT ? perms[p].help : "";
}

unsigned perm_roles(enum perm p)
{
    return p < PERM_COUNT ? perms[p].roles : 0;
}
