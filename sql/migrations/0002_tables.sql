-- 0002 tables: the data model of doc DESIGN.md with its constraints and the
-- indexes the screens need, plus fixed reference rows (channels, lifecycle
-- transitions, default settings). Triggers and functions follow in 0003/0004.

SET LOCAL search_path = kontor, public;

-- Reference data ---------------------------------------------------------

CREATE TABLE kontor.channel (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z_]+$'),
    name        text NOT NULL,
    sort_order  integer NOT NULL DEFAULT 0
);
INSERT INTO kontor.channel (code, name, sort_order) VALUES
    ('web', 'Web', 1), ('app', 'App', 2), ('store', 'Stores', 3),
    ('marketplace', 'Marketplace', 4), ('phone', 'Phone', 5),
    ('social', 'Social', 6), ('print', 'Print', 7);

CREATE TABLE kontor.location (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,               -- 'HB-01' Bremen store
    name        text NOT NULL,
    city        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('store', 'warehouse', 'pickup_point')),
    active      boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint
);

-- Staff and sessions -----------------------------------------------------

CREATE TABLE kontor.staff (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username             text NOT NULL CHECK (username = lower(username) AND username ~ '^[a-z0-9._-]{1,64}$'),
    display_name         text NOT NULL,
    role                 text NOT NULL CHECK (role IN ('clerk', 'service', 'manager', 'admin')),
    home_location_id     bigint REFERENCES kontor.location,
    password_hash        text,
    must_change_password boolean NOT NULL DEFAULT true,
    failed_attempts      integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until         timestamptz,
    active               boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    last_login_at        timestamptz,
    version              integer NOT NULL DEFAULT 1,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    updated_by           bigint REFERENCES kontor.staff
);
CREATE UNIQUE INDEX staff_username_key ON kontor.staff (lower(username));
ALTER TABLE kontor.location ADD FOREIGN KEY (updated_by) REFERENCES kontor.staff;

CREATE TABLE kontor.staff_session (
    token_hash  bytea PRIMARY KEY,                 -- sha256 of the raw 32 bytes
    staff_id    bigint NOT NULL REFERENCES kontor.staff,
    client      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL DEFAULT now() + interval '12 hours',
    ended_at    timestamptz
);
CREATE INDEX staff_session_staff_idx ON kontor.staff_session (staff_id, created_at DESC);

-- Configurable values: key + scope ('' = default; a channel code or a role).
CREATE TABLE kontor.setting (
    key         text NOT NULL,
    scope       text NOT NULL DEFAULT '',
    value       jsonb NOT NULL,
    description text,
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint REFERENCES kontor.staff,
    PRIMARY KEY (key, scope)
);
INSERT INTO kontor.setting (key, scope, value, description) VALUES
    ('return_window_days', '', '30', 'days after delivery/collection a return needs no approval'),
    ('return_window_days', 'web', '30', NULL),
    ('return_window_days', 'app', '30', NULL),
    ('return_window_days', 'store', '30', NULL),
    ('return_window_days', 'marketplace', '14', NULL),
    ('return_window_days', 'phone', '30', NULL),
    ('return_window_days', 'social', '30', NULL),
    ('return_window_days', 'print', '30', NULL),
    ('refund_limit_cents', 'clerk', '0', 'refunds above this per return need manager approval'),
    ('refund_limit_cents', 'service', '20000', NULL),
    ('refund_limit_cents', 'manager', 'null', 'null = no limit'),
    ('refund_limit_cents', 'admin', '0', NULL),
    ('pickup_overdue_days', '', '5', 'ready pickups older than this are overdue'),
    ('business_timezone', '', '"Europe/Berlin"', 'time zone of a business day');

-- Customers --------------------------------------------------------------

CREATE TABLE kontor.customer (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name   text NOT NULL DEFAULT '',
    last_name    text NOT NULL DEFAULT '',
    name_norm    text GENERATED ALWAYS AS (kontor.name_norm(first_name, last_name)) STORED,
    name_phon    text GENERATED ALWAYS AS (kontor.koelner_phonetik(last_name)) STORED,
    first_phon   text GENERATED ALWAYS AS (kontor.koelner_phonetik(first_name)) STORED,
    birthdate    date,
    street       text,
    postcode     text,
    city         text,
    country      char(2) DEFAULT 'DE',
    home_channel_id bigint REFERENCES kontor.channel,   -- where first seen
    created_at   timestamptz NOT NULL DEFAULT now(),
    merged_into  bigint REFERENCES kontor.customer CHECK (merged_into <> id),
    merged_at    timestamptz,
    erased_at    timestamptz,
    version      integer NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   bigint REFERENCES kontor.staff
);
CREATE INDEX customer_name_norm_trgm ON kontor.customer USING gin (name_norm public.gin_trgm_ops);
CREATE INDEX customer_name_phon_idx ON kontor.customer (name_phon, first_phon);
CREATE INDEX customer_created_idx ON kontor.customer (created_at);
CREATE INDEX customer_merged_into_idx ON kontor.customer (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE kontor.customer_identity (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES kontor.customer,
    kind         text NOT NULL CHECK (kind IN ('email', 'phone', 'loyalty', 'web_account', 'marketplace_id')),
    value        text NOT NULL CHECK (btrim(value) <> ''),
    value_norm   text GENERATED ALWAYS AS (kontor.identity_norm(kind, value)) STORED,
    source       text,                               -- channel code or system it came from
    verified     boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    retired_at   timestamptz,                        -- set when a merge found a duplicate
    version      integer NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   bigint REFERENCES kontor.staff
);
CREATE UNIQUE INDEX customer_identity_value_key ON kontor.customer_identity (kind, value_norm)
    WHERE retired_at IS NULL;
CREATE INDEX customer_identity_norm_idx ON kontor.customer_identity (value_norm);
CREATE INDEX customer_identity_norm_trgm ON kontor.customer_identity USING gin (value_norm public.gin_trgm_ops);
CREATE INDEX customer_identity_customer_idx ON kontor.customer_identity (customer_id);

CREATE TABLE kontor.consent (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES kontor.customer,
    purpose      text NOT NULL CHECK (purpose IN ('newsletter', 'sms', 'post', 'phone', 'profiling', 'app_push')),
    channel_id   bigint REFERENCES kontor.channel,   -- where it was given / withdrawn
    granted      boolean NOT NULL,
    source       text NOT NULL,                      -- 'web signup form', 'store counter', 'erasure'
    at           timestamptz NOT NULL DEFAULT now(),
    recorded_by  bigint REFERENCES kontor.staff
);
CREATE INDEX consent_customer_idx ON kontor.consent (customer_id, purpose, at DESC);

CREATE TABLE kontor.customer_note (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES kontor.customer,
    body         text NOT NULL CHECK (btrim(body) <> ''),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   bigint REFERENCES kontor.staff
);
CREATE INDEX customer_note_customer_idx ON kontor.customer_note (customer_id, created_at DESC);

CREATE TABLE kontor.customer_duplicate (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_a    bigint NOT NULL REFERENCES kontor.customer,
    customer_b    bigint NOT NULL REFERENCES kontor.customer,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'dismissed')),
    note          text,
    flagged_by    bigint REFERENCES kontor.staff,
    flagged_at    timestamptz NOT NULL DEFAULT now(),
    resolved_by   bigint REFERENCES kontor.staff,
    resolved_at   timestamptz,
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    bigint REFERENCES kontor.staff,
    CHECK (customer_a <> customer_b)
);
CREATE UNIQUE INDEX customer_duplicate_open_key ON kontor.customer_duplicate
    (least(customer_a, customer_b), greatest(customer_a, customer_b)) WHERE status = 'open';
CREATE INDEX customer_duplicate_b_idx ON kontor.customer_duplicate (customer_b);
CREATE INDEX customer_duplicate_status_idx ON kontor.customer_duplicate (status, flagged_at);

-- Products and stock -----------------------------------------------------

CREATE TABLE kontor.product (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku          text NOT NULL UNIQUE,
    name         text NOT NULL,
    size         text,
    colour       text,
    price_cents  bigint NOT NULL CHECK (price_cents >= 0),
    currency     char(3) NOT NULL DEFAULT 'EUR',
    active       boolean NOT NULL DEFAULT true,
    version      integer NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   bigint REFERENCES kontor.staff
);
CREATE INDEX product_name_trgm ON kontor.product USING gin (lower(name) public.gin_trgm_ops);

CREATE TABLE kontor.stock (
    product_id   bigint NOT NULL REFERENCES kontor.product,
    location_id  bigint NOT NULL REFERENCES kontor.location,
    on_hand      integer NOT NULL DEFAULT 0,
    reserved     integer NOT NULL DEFAULT 0,
    version      integer NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   bigint REFERENCES kontor.staff,
    PRIMARY KEY (product_id, location_id),
    CONSTRAINT stock_on_hand_nonneg CHECK (on_hand >= 0),
    CONSTRAINT stock_reserved_nonneg CHECK (reserved >= 0),
    CONSTRAINT stock_reserved_le_on_hand CHECK (reserved <= on_hand)
);
CREATE INDEX stock_location_idx ON kontor.stock (location_id, product_id);

-- Campaigns and touchpoints ----------------------------------------------

CREATE TABLE kontor.campaign (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL,
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'ended')),
    starts_on     date,
    ends_on       date,
    budget_cents  bigint CHECK (budget_cents >= 0),
    currency      char(3) NOT NULL DEFAULT 'EUR',
    target        text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    bigint REFERENCES kontor.staff,
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    bigint REFERENCES kontor.staff,
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX campaign_status_idx ON kontor.campaign (status, starts_on DESC);

CREATE TABLE kontor.touchpoint (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('poster', 'qr', 'newsletter', 'social_post',
                                                 'instore_display', 'print_catalogue', 'app_push')),
    name           text NOT NULL,
    channel_id     bigint REFERENCES kontor.channel,
    location_id    bigint REFERENCES kontor.location,
    tracking_code  text NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     bigint REFERENCES kontor.staff
);

CREATE TABLE kontor.campaign_touchpoint (
    campaign_id    bigint NOT NULL REFERENCES kontor.campaign,
    touchpoint_id  bigint NOT NULL REFERENCES kontor.touchpoint,
    PRIMARY KEY (campaign_id, touchpoint_id)
);
CREATE INDEX campaign_touchpoint_tp_idx ON kontor.campaign_touchpoint (touchpoint_id);

CREATE TABLE kontor.interaction (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    touchpoint_id  bigint NOT NULL REFERENCES kontor.touchpoint,
    customer_id    bigint REFERENCES kontor.customer,
    visitor_id     text,                              -- anonymous visitor
    kind           text NOT NULL CHECK (kind IN ('viewed', 'scanned', 'clicked', 'visited', 'reserved')),
    at             timestamptz NOT NULL DEFAULT now(),
    CHECK (customer_id IS NOT NULL OR visitor_id IS NOT NULL)
);
CREATE INDEX interaction_customer_idx ON kontor.interaction (customer_id, at DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX interaction_visitor_idx ON kontor.interaction (visitor_id, at DESC) WHERE visitor_id IS NOT NULL;
CREATE INDEX interaction_touchpoint_idx ON kontor.interaction (touchpoint_id, at);

-- Orders -----------------------------------------------------------------

CREATE SEQUENCE kontor.order_number_seq START 100000;

CREATE TABLE kontor.sales_order (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number         text NOT NULL UNIQUE,               -- 'K-104233', set by trigger when NULL
    channel_id     bigint NOT NULL REFERENCES kontor.channel,
    location_id    bigint REFERENCES kontor.location,  -- placed at / C&C pickup store
    customer_id    bigint REFERENCES kontor.customer,
    fulfilment     text NOT NULL CHECK (fulfilment IN ('ship', 'click_collect', 'in_store')),
    status         text NOT NULL DEFAULT 'placed' CHECK (status IN ('placed', 'paid', 'picking', 'shipped',
                       'delivered', 'ready_for_pickup', 'collected', 'completed', 'cancelled',
                       'partially_returned', 'returned')),
    status_note    text,                               -- reason/note for the transition made by this UPDATE
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    currency       char(3) NOT NULL DEFAULT 'EUR',
    subtotal_cents bigint NOT NULL DEFAULT 0 CHECK (subtotal_cents >= 0),
    shipping_cents bigint NOT NULL DEFAULT 0 CHECK (shipping_cents >= 0),
    discount_cents bigint NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),
    total_cents    bigint NOT NULL DEFAULT 0 CHECK (total_cents >= 0),
    campaign_id    bigint REFERENCES kontor.campaign,
    touchpoint_id  bigint REFERENCES kontor.touchpoint,
    pickup_code    text UNIQUE,                        -- C&C: set by trigger when NULL
    placed_at      timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     bigint REFERENCES kontor.staff,
    CHECK (fulfilment = 'ship' OR location_id IS NOT NULL)
);
CREATE INDEX sales_order_placed_idx ON kontor.sales_order (placed_at DESC, id DESC);
CREATE INDEX sales_order_channel_placed_idx ON kontor.sales_order (channel_id, placed_at DESC, id DESC);
CREATE INDEX sales_order_status_placed_idx ON kontor.sales_order (status, placed_at DESC, id DESC);
CREATE INDEX sales_order_location_placed_idx ON kontor.sales_order (location_id, placed_at DESC, id DESC)
    WHERE location_id IS NOT NULL;
CREATE INDEX sales_order_customer_idx ON kontor.sales_order (customer_id, placed_at DESC)
    WHERE customer_id IS NOT NULL;
CREATE INDEX sales_order_pickup_idx ON kontor.sales_order (location_id, status, status_changed_at)
    WHERE fulfilment = 'click_collect';
CREATE INDEX sales_order_campaign_idx ON kontor.sales_order (campaign_id, placed_at) WHERE campaign_id IS NOT NULL;
CREATE INDEX sales_order_touchpoint_idx ON kontor.sales_order (touchpoint_id) WHERE touchpoint_id IS NOT NULL;

CREATE TABLE kontor.order_line (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id         bigint NOT NULL REFERENCES kontor.sales_order,
    line_no          integer NOT NULL CHECK (line_no > 0),
    product_id       bigint REFERENCES kontor.product,
    sku              text NOT NULL,
    name             text NOT NULL,
    size             text,
    qty              integer NOT NULL CHECK (qty > 0),
    unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
    UNIQUE (order_id, line_no)
);
CREATE INDEX order_line_product_idx ON kontor.order_line (product_id);

CREATE TABLE kontor.payment (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id      bigint NOT NULL REFERENCES kontor.sales_order,
    method        text NOT NULL CHECK (method IN ('card', 'paypal', 'cash', 'invoice', 'voucher', 'marketplace')),
    amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
    currency      char(3) NOT NULL DEFAULT 'EUR',
    status        text NOT NULL CHECK (status IN ('authorised', 'captured', 'failed', 'voided')),
    reference     text,                                -- '****4242'
    at            timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    bigint REFERENCES kontor.staff
);
CREATE INDEX payment_order_idx ON kontor.payment (order_id);

-- Returns ----------------------------------------------------------------

CREATE TABLE kontor.return_order (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rma                    text NOT NULL UNIQUE,        -- 'R-7K2Q9M', set by trigger when NULL
    order_id               bigint NOT NULL REFERENCES kontor.sales_order,
    channel_id             bigint NOT NULL REFERENCES kontor.channel,   -- where it came back
    location_id            bigint REFERENCES kontor.location,           -- store/warehouse receiving it
    status                 text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'authorised',
                               'received', 'inspected', 'refunded', 'credited', 'exchanged', 'closed',
                               'rejected', 'cancelled')),
    status_note            text,
    reason                 text,
    refund_method          text CHECK (refund_method IN ('original', 'card', 'paypal', 'cash', 'voucher',
                                                         'bank_transfer', 'marketplace', 'exchange', 'none')),
    outside_window         boolean NOT NULL DEFAULT false,   -- computed by trigger on insert
    days_since_delivery    integer,                          -- computed by trigger on insert
    needs_approval         boolean NOT NULL DEFAULT false,
    approval_note          text,                             -- why approval was asked for
    approval_requested_by  bigint REFERENCES kontor.staff,
    approval_requested_at  timestamptz,
    approval_decision      text CHECK (approval_decision IN ('approved', 'rejected')),
    approved_by            bigint REFERENCES kontor.staff,
    approved_at            timestamptz,
    approval_reason        text,                             -- the manager's reason
    created_by             bigint REFERENCES kontor.staff,
    created_at             timestamptz NOT NULL DEFAULT now(),
    version                integer NOT NULL DEFAULT 1,
    updated_at             timestamptz NOT NULL DEFAULT now(),
    updated_by             bigint REFERENCES kontor.staff
);
CREATE INDEX return_order_order_idx ON kontor.return_order (order_id);
CREATE INDEX return_order_status_idx ON kontor.return_order (status, location_id, created_at DESC);
CREATE INDEX return_order_location_idx ON kontor.return_order (location_id, status, created_at DESC);
CREATE INDEX return_order_created_idx ON kontor.return_order (created_at DESC, id DESC);
CREATE INDEX return_order_approval_idx ON kontor.return_order (approval_requested_at)
    WHERE needs_approval AND approval_decision IS NULL;

CREATE TABLE kontor.return_line (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    return_id      bigint NOT NULL REFERENCES kontor.return_order,
    order_line_id  bigint NOT NULL REFERENCES kontor.order_line,
    qty            integer NOT NULL CHECK (qty > 0),
    reason         text,
    condition      text CHECK (condition IN ('resellable', 'damaged', 'defective')),
    restocked      boolean NOT NULL DEFAULT false,
    version        integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     bigint REFERENCES kontor.staff,
    UNIQUE (return_id, order_line_id)
);
CREATE INDEX return_line_order_line_idx ON kontor.return_line (order_line_id);

CREATE TABLE kontor.refund (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id         bigint NOT NULL REFERENCES kontor.sales_order,
    return_id        bigint REFERENCES kontor.return_order,
    payment_id       bigint REFERENCES kontor.payment,
    amount_cents     bigint NOT NULL CHECK (amount_cents > 0),
    currency         char(3) NOT NULL DEFAULT 'EUR',
    method           text NOT NULL CHECK (method IN ('card', 'paypal', 'cash', 'invoice', 'voucher',
                                                     'marketplace', 'bank_transfer')),
    idempotency_key  text NOT NULL UNIQUE,
    status           text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'done', 'failed')),
    created_by       bigint REFERENCES kontor.staff,
    at               timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       bigint REFERENCES kontor.staff
);
CREATE INDEX refund_order_idx ON kontor.refund (order_id);
CREATE INDEX refund_return_idx ON kontor.refund (return_id) WHERE return_id IS NOT NULL;
CREATE INDEX refund_at_idx ON kontor.refund (at);

-- Order history, notes, outgoing notifications ---------------------------

CREATE TABLE kontor.order_event (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     bigint NOT NULL REFERENCES kontor.sales_order,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    from_status  text,
    to_status    text NOT NULL,
    staff_id     bigint REFERENCES kontor.staff,
    source       text NOT NULL,                       -- 'console', 'app', 'web', 'shop', ...
    note         text
);
CREATE INDEX order_event_order_idx ON kontor.order_event (order_id, at);
CREATE INDEX order_event_to_status_idx ON kontor.order_event (to_status, at);

CREATE TABLE kontor.order_note (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES kontor.sales_order,
    body        text NOT NULL CHECK (btrim(body) <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  bigint REFERENCES kontor.staff
);
CREATE INDEX order_note_order_idx ON kontor.order_note (order_id, created_at);

CREATE TABLE kontor.notification_outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     bigint REFERENCES kontor.sales_order,
    customer_id  bigint REFERENCES kontor.customer,
    channel      text NOT NULL CHECK (channel IN ('email', 'sms')),
    kind         text NOT NULL,                       -- 'pickup_ready', 'shipped', 'cancelled', 'refund', ...
    payload      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   bigint REFERENCES kontor.staff,
    sent_at      timestamptz
);
CREATE INDEX notification_outbox_unsent_idx ON kontor.notification_outbox (created_at) WHERE sent_at IS NULL;
CREATE INDEX notification_outbox_order_idx ON kontor.notification_outbox (order_id);

-- Lifecycles -------------------------------------------------------------

CREATE TABLE kontor.order_transition (
    fulfilment   text NOT NULL CHECK (fulfilment IN ('ship', 'click_collect', 'in_store')),
    from_status  text NOT NULL,
    to_status    text NOT NULL,
    needs_reason boolean NOT NULL DEFAULT false,
    PRIMARY KEY (fulfilment, from_status, to_status)
);
INSERT INTO kontor.order_transition (fulfilment, from_status, to_status, needs_reason) VALUES
    ('ship', 'placed', 'paid', false),
    ('ship', 'paid', 'picking', false),
    ('ship', 'picking', 'shipped', false),
    ('ship', 'shipped', 'delivered', false),
    ('ship', 'placed', 'cancelled', true),
    ('ship', 'paid', 'cancelled', true),
    ('ship', 'picking', 'cancelled', true),
    ('ship', 'delivered', 'partially_returned', false),
    ('ship', 'delivered', 'returned', false),
    ('ship', 'partially_returned', 'returned', false),
    ('click_collect', 'placed', 'paid', false),
    ('click_collect', 'paid', 'picking', false),
    ('click_collect', 'picking', 'ready_for_pickup', false),
    ('click_collect', 'ready_for_pickup', 'collected', false),
    ('click_collect', 'placed', 'cancelled', true),
    ('click_collect', 'paid', 'cancelled', true),
    ('click_collect', 'picking', 'cancelled', true),
    ('click_collect', 'ready_for_pickup', 'cancelled', true),
    ('click_collect', 'collected', 'partially_returned', false),
    ('click_collect', 'collected', 'returned', false),
    ('click_collect', 'partially_returned', 'returned', false),
    ('in_store', 'placed', 'paid', false),
    ('in_store', 'paid', 'completed', false),
    ('in_store', 'placed', 'cancelled', true),
    ('in_store', 'paid', 'cancelled', true),
    ('in_store', 'completed', 'partially_returned', false),
    ('in_store', 'completed', 'returned', false),
    ('in_store', 'partially_returned', 'returned', false);

CREATE TABLE kontor.return_transition (
    from_status  text NOT NULL,
    to_status    text NOT NULL,
    needs_reason boolean NOT NULL DEFAULT false,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO kontor.return_transition (from_status, to_status, needs_reason) VALUES
    ('requested', 'authorised', false),
    ('requested', 'rejected', true),
    ('requested', 'cancelled', false),
    ('authorised', 'received', false),
    ('authorised', 'cancelled', false),
    ('received', 'inspected', false),
    ('received', 'rejected', true),
    ('inspected', 'refunded', false),
    ('inspected', 'credited', false),
    ('inspected', 'exchanged', false),
    ('inspected', 'rejected', true),
    ('inspected', 'closed', true),
    ('refunded', 'closed', false),
    ('credited', 'closed', false),
    ('exchanged', 'closed', false);

-- Audit ------------------------------------------------------------------

CREATE TABLE kontor.audit_event (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    staff_id   bigint,                               -- no FK: the log outlives everything
    actor      text NOT NULL,
    action     text NOT NULL,
    entity     text,
    entity_id  text,
    before     jsonb,
    after      jsonb,
    prev_hash  bytea,
    hash       bytea NOT NULL
);
CREATE INDEX audit_event_staff_idx ON kontor.audit_event (staff_id, id DESC);
CREATE INDEX audit_event_entity_idx ON kontor.audit_event (entity, entity_id, id DESC);
CREATE INDEX audit_event_at_idx ON kontor.audit_event (at);

-- The head of the hash chain: one row, locked by every append. Its row lock
-- also makes a REPEATABLE READ appender fail (40001) instead of forking.
CREATE TABLE kontor.audit_head (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    last_id  bigint,
    last_hash bytea
);
INSERT INTO kontor.audit_head VALUES (true, NULL, NULL);
