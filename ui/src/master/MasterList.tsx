import { PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Input, Space, Switch, Table, Tag, Typography, type TableProps } from "antd";
import type { ColumnsType, SorterResult } from "antd/es/table/interface";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { ListQuery, Page } from "../bindings";
import { ExportButton } from "../components";
import { isAppError } from "../errors";
import { useNotify } from "../notify";

const PAGE_SIZE = 20;

/** Every record in use, for a choice list (the store's largest page). */
export const ALL_IN_USE: ListQuery = {
  search: null,
  sort: null,
  descending: false,
  includeInactive: false,
  parentId: null,
  offset: 0,
  limit: 500,
};

/** A record of a master list: every kind has an id and an in-use flag. */
export interface Row {
  id: number;
  active: boolean;
}

export interface MasterListProps<T extends Row> {
  /** data-testid prefix: `${testId}-table`, `${testId}-search`, `${testId}-add`… */
  testId: string;
  columns: ColumnsType<T>;
  list: (q: ListQuery) => Promise<Page<T>>;
  exportList?: (q: ListQuery) => Promise<string>;
  /** Shown when the user may add; none for pickers. */
  onAdd?: () => void;
  /** Row actions (edit, …) at the end of each row. */
  actions?: (row: T) => ReactNode;
  /** A click on a row picks it (picker dialogs). */
  onPick?: (row: T) => void;
  parentId?: number | null;
  /** Changes to reload the page on screen (after a save). */
  reloadKey?: number;
  toolbar?: ReactNode;
}

/** A master list as every screen shows it: search, sort by a column, paging on the server, in-use filter, export. */
export default function MasterList<T extends Row>(props: MasterListProps<T>) {
  const { testId, list, exportList, onAdd, actions, onPick, parentId = null, reloadKey = 0, toolbar } = props;
  const { t } = useTranslation();
  const notify = useNotify();
  const [search, setSearch] = useState("");
  const [typed, setTyped] = useState("");
  const [includeInactive, setIncludeInactive] = useState(false);
  const [sort, setSort] = useState<{ key: string | null; descending: boolean }>({ key: null, descending: false });
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page<T>>({ rows: [], total: 0 });
  /** The request the rows on screen answer; another one is loading while it differs. */
  const [shown, setShown] = useState("");
  const [forbidden, setForbidden] = useState(false);

  const query = (offset: number, limit: number): ListQuery => ({
    search: search || null,
    sort: sort.key,
    descending: sort.descending,
    includeInactive,
    parentId,
    offset,
    limit,
  });

  const request = JSON.stringify([search, sort, includeInactive, parentId, page, reloadKey]);
  const loading = shown !== request;
  useEffect(() => {
    let cancelled = false;
    list(query((page - 1) * PAGE_SIZE, PAGE_SIZE)).then(
      (p) => {
        if (cancelled) return;
        setData(p);
        setShown(request);
      },
      (e) => {
        if (cancelled) return;
        setShown(request);
        if (isAppError(e) && e.code === "forbidden") setForbidden(true);
        else notify.error(e);
      },
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the request names everything query() reads
  }, [list, request, notify]);

  if (forbidden) return <Alert type="warning" showIcon title={t("master.forbidden")} data-testid={`${testId}-forbidden`} />;

  const onChange: TableProps<T>["onChange"] = (pagination, _filters, sorter) => {
    const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<T> | undefined;
    const key = s?.order ? String(s.columnKey ?? "") || null : null;
    const next = { key, descending: s?.order === "descend" };
    if (next.key !== sort.key || next.descending !== sort.descending) {
      setSort(next);
      setPage(1);
    } else {
      setPage(pagination.current ?? 1);
    }
  };

  const columns: ColumnsType<T> = [
    ...props.columns,
    {
      title: t("master.state"),
      key: "active",
      width: 90,
      render: (_, r) => (r.active ? <Tag color="blue">{t("master.inUse")}</Tag> : <Tag>{t("master.notInUse")}</Tag>),
    },
    ...(actions ? [{ title: "", key: "actions", render: (_: unknown, r: T) => actions(r) }] : []),
  ];

  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }}>
      <Space wrap>
        <Input.Search
          allowClear
          style={{ width: 260 }}
          placeholder={t("master.search")}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onSearch={(v) => {
            setSearch(v.trim());
            setPage(1);
          }}
          data-testid={`${testId}-search`}
        />
        <Space size={4}>
          <Switch
            size="small"
            checked={includeInactive}
            onChange={(v) => {
              setIncludeInactive(v);
              setPage(1);
            }}
          />
          <Typography.Text type="secondary">{t("master.includeInactive")}</Typography.Text>
        </Space>
        {onAdd && (
          <Button type="primary" icon={<PlusOutlined />} onClick={onAdd} data-testid={`${testId}-add`}>
            {t("master.add")}
          </Button>
        )}
        {toolbar}
        {exportList && <ExportButton run={() => exportList(query(0, 1))} testId={`${testId}-export`} />}
      </Space>
      <Table<T>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data.rows}
        columns={columns}
        onChange={onChange}
        data-testid={`${testId}-table`}
        onRow={onPick ? (r) => ({ onClick: () => onPick(r), style: { cursor: "pointer" } }) : undefined}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: data.total,
          showSizeChanger: false,
          showTotal: (total) => t("master.total", { count: total }),
        }}
      />
    </Space>
  );
}
