import { Alert, Button, Input, Select, Space, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type AuditFilter, type AuditRow, type Session } from "../bindings";
import { dateTime, localMidnight } from "../format";
import { DayRange, ExportButton } from "../components";
import { useNotify } from "../notify";

const PAGE = 100;
const ACTIONS = ["login", "logout", "login_failed", "create", "update", "delete"];
const ENTITIES = ["session", "user", "station", "inspection", "alarm"];

interface Filters {
  firstDay: string;
  lastDay: string;
  username: string;
  action: string | null;
  entity: string | null;
}

const NO_FILTER: Filters = { firstDay: "", lastDay: "", username: "", action: null, entity: null };

function storeFilter(f: Filters, beforeId: number | null): AuditFilter {
  return {
    from: localMidnight(f.firstDay, 0),
    until: localMidnight(f.lastDay, 1),
    username: f.username.trim() || null,
    action: f.action,
    entity: f.entity,
    beforeId,
    limit: PAGE,
  };
}

/** A JSON record as stored, indented for reading. */
function Json({ text }: { text: string | null }) {
  if (text === null) return <Typography.Text type="secondary">–</Typography.Text>;
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // stored as written
  }
  return <pre style={{ margin: 0, maxHeight: 240, overflow: "auto", fontSize: 12 }}>{shown}</pre>;
}

/** The audit trail (감사 기록): who did what, when, where, and the record before and after. */
export default function AuditScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const notify = useNotify();
  const [filters, setFilters] = useState<Filters>(NO_FILTER);
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const isAdmin = session.user.role === "admin";

  const load = useCallback(
    async (f: Filters, after: AuditRow[]) => {
      setLoading(true);
      try {
        const page = await commands.listAudit(storeFilter(f, after[after.length - 1]?.id ?? null));
        setRows([...after, ...page]);
        setMore(page.length === PAGE);
      } catch (e) {
        notify.error(e);
      } finally {
        setLoading(false);
      }
    },
    [notify],
  );

  useEffect(() => {
    if (!isAdmin) return;
    let cancelled = false;
    commands.listAudit(storeFilter(NO_FILTER, null)).then((page) => {
      if (cancelled) return;
      setRows(page);
      setMore(page.length === PAGE);
    }, notify.error);
    return () => {
      cancelled = true;
    };
  }, [isAdmin, notify]);

  const search = (f: Filters) => {
    setFilters(f);
    void load(f, []);
  };

  if (!isAdmin) return <Alert type="info" showIcon title={t("audit.adminOnly")} />;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("audit.intro")}</Typography.Paragraph>
      <Space wrap>
        <DayRange
          first={filters.firstDay}
          last={filters.lastDay}
          onChange={(firstDay, lastDay) => search({ ...filters, firstDay, lastDay })}
        />
        <Input.Search
          allowClear
          placeholder={t("audit.user")}
          style={{ width: 180 }}
          onSearch={(username) => search({ ...filters, username })}
          data-testid="audit-user"
        />
        <Select
          allowClear
          placeholder={t("audit.allActions")}
          style={{ minWidth: 140 }}
          value={filters.action}
          onChange={(v: string | undefined) => search({ ...filters, action: v ?? null })}
          options={ACTIONS.map((a) => ({ value: a, label: t(`audit.actions.${a}`) }))}
          data-testid="audit-action"
        />
        <Select
          allowClear
          placeholder={t("audit.allEntities")}
          style={{ minWidth: 140 }}
          value={filters.entity}
          onChange={(v: string | undefined) => search({ ...filters, entity: v ?? null })}
          options={ENTITIES.map((e) => ({ value: e, label: t(`audit.entities.${e}`) }))}
        />
        <ExportButton run={() => commands.exportAudit(storeFilter(filters, null))} testId="audit-export" />
      </Space>
      <Table<AuditRow>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        pagination={false}
        data-testid="audit-table"
        expandable={{
          rowExpandable: (r) => r.beforeJson !== null || r.afterJson !== null,
          expandedRowRender: (r) => (
            <Space align="start" size="large">
              <div>
                <Typography.Text strong>{t("audit.before")}</Typography.Text>
                <Json text={r.beforeJson} />
              </div>
              <div>
                <Typography.Text strong>{t("audit.after")}</Typography.Text>
                <Json text={r.afterJson} />
              </div>
            </Space>
          ),
        }}
        columns={[
          { title: t("audit.at"), dataIndex: "at", render: (at: string) => dateTime(at) },
          { title: t("audit.user"), dataIndex: "username", render: (u: string | null) => u ?? "–" },
          { title: t("audit.machine"), dataIndex: "machine" },
          {
            title: t("audit.action"),
            dataIndex: "action",
            render: (a: string) => <Tag color={a === "login_failed" ? "red" : undefined}>{t(`audit.actions.${a}`, a)}</Tag>,
          },
          { title: t("audit.entity"), dataIndex: "entity", render: (e: string) => t(`audit.entities.${e}`, e) },
          { title: t("audit.entityId"), dataIndex: "entityId", render: (id: string | null) => id ?? "" },
        ]}
      />
      {more && (
        <Button onClick={() => void load(filters, rows)} loading={loading}>
          {t("history.more")}
        </Button>
      )}
    </Space>
  );
}
