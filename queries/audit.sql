-- The audit log of admin writes.

-- name: AuditRecord :exec
-- Called inside the transaction of the write it records.
INSERT INTO audit_log (actor_id, action, target)
VALUES (@actor_id, @action, @target);

-- name: AuditList :many
-- Newest first, keyset-paged on audit_log_at_idx.
SELECT *
FROM audit_log
WHERE (at, id) < (@before_at::timestamptz, @before_id::uuid)
ORDER BY at DESC, id DESC
LIMIT @lim;
