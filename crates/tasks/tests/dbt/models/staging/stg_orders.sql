-- With `--vars '{break_model: true}'` this model reads a column that does not exist, so dbt
-- reports it as `error` and skips what depends on it.
select
    id as order_id,
    customer_id,
    order_date,
    {% if var('break_model', false) %}no_such_column{% else %}status{% endif %} as status
from {{ ref('raw_orders') }}
