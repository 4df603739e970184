with orders as (
    select * from {{ ref('stg_orders') }}
),

payments as (
    select order_id, sum(amount) as amount
    from {{ ref('stg_payments') }}
    group by order_id
)

select
    c.customer_id,
    c.first_name,
    c.last_name,
    count(o.order_id) as order_count,
    min(o.order_date) as first_order,
    coalesce(sum(p.amount), 0) as lifetime_value
from {{ ref('stg_customers') }} as c
left join orders as o on o.customer_id = c.customer_id
left join payments as p on p.order_id = o.order_id
group by c.customer_id, c.first_name, c.last_name
