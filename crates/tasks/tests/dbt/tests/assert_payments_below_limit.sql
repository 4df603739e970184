-- Switchable failure: enabled only with `--vars '{fail_test: true}'`. It then returns the
-- payments above 20.00 (two rows), so the test FAILs, and `dbt build` skips `customer_orders`
-- and its tests, which depend on `stg_payments`.
{{ config(enabled=var('fail_test', false)) }}

select payment_id, amount
from {{ ref('stg_payments') }}
where amount > 20
