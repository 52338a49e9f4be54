/* Every console screen, one ops table each, registered in console.c. */
#ifndef KONTOR_SCREENS_H
#define KONTOR_SCREENS_H

#include "kontor/tui.h"

extern const struct screen_ops screen_login;
extern const struct screen_ops screen_home;
extern const struct screen_ops screen_orders;
extern const struct screen_ops screen_order;
extern const struct screen_ops screen_pickups;
extern const struct screen_ops screen_returns;   /* :returns, the queue */
extern const struct screen_ops screen_return;    /* :return RMA, the detail */
extern const struct screen_ops screen_return_new; /* :return-new ORDER, start a return */
extern const struct screen_ops screen_approvals; /* :approvals, the manager's queue */
extern const struct screen_ops screen_customers;     /* :customer TEXT / :customers, search */
extern const struct screen_ops screen_customer;      /* :customer ID, profile and journey */
extern const struct screen_ops screen_customer_edit; /* :customer-edit ID, profile form */
extern const struct screen_ops screen_duplicates;    /* :duplicates, suggestions and merge */
extern const struct screen_ops screen_report;        /* :report [DATE], the daily channel report */
extern const struct screen_ops screen_staff;
extern const struct screen_ops screen_staff_add;

#endif
