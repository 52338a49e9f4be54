/* The permission matrix of the console and the batch commands: one
 * X-macro table, the code side of doc/roles.md. The database enforces the
 * same rules with GRANTs and policies; this table only decides what the
 * console offers, so a role never sees an action it cannot take. */
#ifndef KONTOR_PERM_H
#define KONTOR_PERM_H

#include <stdbool.h>

#include "kontor/db.h"

#define PERM_CLERK (1u << DB_ROLE_CLERK)
#define PERM_SERVICE (1u << DB_ROLE_SERVICE)
#define PERM_MANAGER (1u << DB_ROLE_MANAGER)
#define PERM_ADMIN (1u << DB_ROLE_ADMIN)
#define PERM_ALL (PERM_CLERK | PERM_SERVICE | PERM_MANAGER | PERM_ADMIN)

/* X(ENUM, "name", roles, "what it allows") */
#define PERMS(X)                                                                              \
    X(HOME, "home", PERM_ALL, "see the home screen with today's figures")                   \
    X(ORDERS_VIEW, "orders.view", PERM_CLERK | PERM_SERVICE | PERM_MANAGER, "list and open orders")\
    X(ORDERS_FULFIL, "orders.fulfil", PERM_CLERK | PERM_MANAGER,                              \
      "pick, ship, hand over click & collect orders")                                        \
    X(ORDERS_CANCEL, "orders.cancel", PERM_SERVICE | PERM_MANAGER, "cancel orders")          \
    X(PICKUPS, "pickups", PERM_CLERK | PERM_SERVICE | PERM_MANAGER, "work the pickup queue") \
    X(RETURNS_VIEW, "returns.view", PERM_CLERK | PERM_SERVICE | PERM_MANAGER,                 \
      "list and open returns")                                                               \
    X(RETURNS_START, "returns.start", PERM_CLERK | PERM_SERVICE | PERM_MANAGER,               \
      "start a return of any order, at any location")                                        \
    X(RETURNS_RECEIVE, "returns.receive", PERM_CLERK | PERM_SERVICE | PERM_MANAGER,           \
      "receive and inspect returned goods")                                                  \
    X(RETURNS_REFUND, "returns.refund", PERM_SERVICE | PERM_MANAGER,                          \
      "refund or credit returns within the limit")                                           \
    X(APPROVALS, "approvals", PERM_MANAGER,                                                  \
      "approve refunds over the limit or outside the window")                                \
    X(CUSTOMERS_VIEW, "customers.view", PERM_CLERK | PERM_SERVICE | PERM_MANAGER,             \
      "find customers (clerks see masked contact data)")                                     \
    X(CUSTOMERS_EDIT, "customers.edit", PERM_SERVICE | PERM_MANAGER,                          \
      "edit customers, identities and consents")                                             \
    X(CUSTOMERS_MERGE, "customers.merge", PERM_MANAGER, "merge duplicates, erase customers") \
    X(CAMPAIGNS, "campaigns", PERM_MANAGER, "run touchpoint campaigns")                      \
    X(REPORTS, "reports", PERM_MANAGER, "read the daily channel reports")                      \
    X(STAFF, "staff", PERM_ADMIN, "manage staff accounts, unlock")                           \
    X(AUDIT, "audit", PERM_ADMIN, "review and verify the audit log")

enum perm {
#define PERM_ENUM(e, name, roles, help) PERM_##e,
    PERMS(PERM_ENUM)
#undef PERM_ENUM
    PERM_COUNT
};

bool perm_allows(enum db_role role, enum perm p);
const char *perm_name(enum perm p);
const char *perm_help(enum perm p);
unsigned perm_roles(enum perm p);

#endif
