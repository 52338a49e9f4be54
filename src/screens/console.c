/* The list of screens, handed to the console loop. Adding a screen is one
 * new file in src/screens/ and one line here. */
#include "kontor/console.h"
#include "kontor/screens.h"

static const struct screen_ops *const screens[] = {
    &screen_login,
    &screen_home,
    &screen_orders,
    &screen_order,
    &screen_pickups,
    &screen_returns,
    &screen_return,
    &screen_return_new,
    &screen_approvals,
    &screen_customers,
    &screen_customer,
    &screen_customer_edit,
    &screen_duplicates,
    &screen_report,
    &screen_staff,
    &screen_staff_add,
};

int console_run(struct config *cfg)
{
    return tui_run(cfg, screens, sizeof(screens) / sizeof(screens[0]));
}
