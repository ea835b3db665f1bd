import { Button, Space, Typography } from "antd";
import type { ColumnsType } from "antd/es/table/interface";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { ListQuery, Page, Session } from "../bindings";
import MasterForm, { type FieldSpec } from "./MasterForm";
import MasterList, { type Row } from "./MasterList";

/** Whether the signed-in role may change master data (Rust checks it again). */
export function canEditMaster(session: Session): boolean {
  return session.user.role === "admin" || session.user.role === "manager";
}

export interface SimpleMasterProps<T extends Row, V extends object> {
  session: Session;
  testId: string;
  intro: string;
  /** The record's name in dialog titles. */
  noun: string;
  columns: ColumnsType<T>;
  list: (q: ListQuery) => Promise<Page<T>>;
  exportList: (q: ListQuery) => Promise<string>;
  save: (id: number | null, input: V) => Promise<unknown>;
  /** The form's fields; `editing` is null for a new record. */
  fields: (editing: T | null) => FieldSpec[];
  blank: V;
  /** The form's values for a stored record. */
  toInput: (row: T) => V;
  parentId?: number | null;
  /** Changes when something outside the list changed its rows. */
  reloadKey?: number;
  toolbar?: (reload: () => void) => ReactNode;
  /** More row actions after "edit". */
  actions?: (row: T) => ReactNode;
}

/** A master list with its add / edit dialog: most kinds of record need no more. */
export default function SimpleMaster<T extends Row, V extends object>(p: SimpleMasterProps<T, V>) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<T | "new" | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const reload = () => setReloadKey((k) => k + 1);
  const editable = canEditMaster(p.session);
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {p.intro}
      </Typography.Paragraph>
      <MasterList<T>
        testId={p.testId}
        columns={p.columns}
        list={p.list}
        exportList={p.exportList}
        parentId={p.parentId}
        reloadKey={reloadKey + (p.reloadKey ?? 0)}
        onAdd={editable ? () => setEditing("new") : undefined}
        toolbar={editable ? p.toolbar?.(reload) : undefined}
        actions={(r) => (
          <Space size={4}>
            {editable && (
              <Button size="small" onClick={() => setEditing(r)} data-testid={`${p.testId}-edit`}>
                {t("master.edit")}
              </Button>
            )}
            {p.actions?.(r)}
          </Space>
        )}
      />
      {editing !== null && (
        <MasterForm<V>
          title={editing === "new" ? t("master.addTitle", { noun: p.noun }) : t("master.editTitle", { noun: p.noun })}
          testId={p.testId}
          fields={p.fields(editing === "new" ? null : editing)}
          initial={editing === "new" ? p.blank : p.toInput(editing)}
          save={(v) => p.save(editing === "new" ? null : editing.id, v)}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
    </Space>
  );
}
