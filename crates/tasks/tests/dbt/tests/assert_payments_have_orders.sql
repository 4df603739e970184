-- Every payment belongs to a known order (always passes).
select p.payment_id
from {{ ref('stg_payments') }} as p
left join {{ ref('stg_orders') }} as o on o.order_id = p.order_id
where o.order_id is null
