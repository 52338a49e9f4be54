-- Open orders at one location (a clerk's "open" list at the store, and its
-- count): 0014's open-orders index is by date across all locations, so a
-- location whose open orders are few or none (ship orders at a store)
-- still read every open order of every location — 2 s at 10,000,000 orders,
-- and under 500 consoles long enough to hit the statement timeout. The
-- same predicate, led by the location.
CREATE INDEX sales_order_open_location_idx
    ON kontor.sales_order (location_id, placed_at DESC, id DESC)
    INCLUDE (channel_id, fulfilment, status)
    WHERE status NOT IN ('collected', 'completed', 'delivered', 'cancelled', 'returned');
