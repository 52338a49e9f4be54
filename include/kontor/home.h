/* Today's figures per channel and each role's open work, for the home
 * screen: the SQL and the reading of its results. Business days are in the
 * time zone of the setting business_timezone. */
#ifndef KONTOR_HOME_H
#define KONTOR_HOME_H

#include <stdbool.h>

#include "kontor/db.h"

#define HOME_MAX_CHANNELS 12
#define HOME_MAX_WORK 8

struct home_channel {
    char name[48];
    long long orders;
    long long revenue_cents;
    long long revenue_lw_cents; /* the same weekday a week before */
    long long returns;
    long long cc_waiting;       /* click & collect ready for pickup */
};

struct home_figures {
    char day[32];      /* "Mon 23 Nov" */
    char compare[32];  /* "Mon 16 Nov" */
    int n;
    struct home_channel ch[HOME_MAX_CHANNELS];
    struct home_channel all;
};

struct home_work {
    char text[128];
    char command[64]; /* palette command that opens the list, e.g. "approvals" */
    long long count;
};

/* Whether the role sees channel figures (admins see no business data). */
bool home_role_sees_figures(enum db_role role);

/* Statements; params must point to storage living until the result. */
struct db_stmt home_figures_stmt(void);
bool home_figures_read(const PGresult *res, struct home_figures *f);

/* params: [0] the staff member's home location id ("" for none). */
struct db_stmt home_work_stmt(enum db_role role, const char *const *params);
int home_work_read(const PGresult *res, struct home_work *w, int max);

#endif
