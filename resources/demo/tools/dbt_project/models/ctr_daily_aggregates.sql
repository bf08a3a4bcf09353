-- Click-through rate per ad and day.
select i.ad_id, date_trunc('day', i.ts) as day, count(c.ad_id) * 1.0 / count(*) as ctr
from {{ source('logs', 'impression_log') }} i
left join {{ source('logs', 'click_log') }} c using (ad_id)
group by 1, 2
