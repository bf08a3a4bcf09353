-- Impressions labelled with clicks, joined with the query that led to them.
select i.ad_id, q.query, c.ad_id is not null as label
from {{ source('logs', 'impression_log') }} i
left join {{ source('logs', 'click_log') }} c using (ad_id)
left join {{ source('logs', 'query_log') }} q using (session_id)
