import { Card, Col, Row, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Code, type CodeGroup, type CodeGroupInput, type CodeInput, type Session } from "../bindings";
import { codeColumns, codeGroupColumns } from "./columns";
import SimpleMaster from "./SimpleMaster";

/** 공통코드: groups on the left; the codes of the chosen group on the right. */
export default function CommonCodesScreen({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [group, setGroup] = useState<CodeGroup | null>(null);
  const blankGroup: CodeGroupInput = { code: "", name: "", remarks: null, active: true };
  return (
    <Row gutter={12}>
      <Col xs={24} xl={10}>
        <Card size="small" title={t("master.codes.groups")}>
          <SimpleMaster<CodeGroup, CodeGroupInput>
            session={session}
            testId="code-groups"
            intro={t("master.codes.intro")}
            noun={t("master.codes.group")}
            columns={codeGroupColumns(t).map((c) => ({
              ...c,
              onCell: (g: CodeGroup) => ({
                onClick: () => setGroup(g),
                style: { cursor: "pointer", background: g.id === group?.id ? "#e6f0fa" : undefined },
              }),
            }))}
            list={commands.listCodeGroups}
            exportList={commands.exportCodeGroups}
            save={commands.saveCodeGroup}
            blank={blankGroup}
            toInput={(g) => g}
            fields={() => [
              { name: "code", label: t("master.codes.groupCode"), kind: "text", required: true, max: 20 },
              { name: "name", label: t("master.codes.groupName"), kind: "text", required: true, max: 50 },
              { name: "remarks", label: t("master.remarks"), kind: "textarea", max: 500 },
              { name: "active", label: t("master.inUse"), kind: "switch" },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={14}>
        <Card size="small" title={group ? `${group.code} · ${group.name}` : t("master.codes.pickGroup")}>
          {group === null ? (
            <Typography.Text type="secondary">{t("master.codes.pickGroupHelp")}</Typography.Text>
          ) : (
            <SimpleMaster<Code, CodeInput>
              key={group.id}
              session={session}
              testId="codes"
              intro={t("master.codes.codesIntro")}
              noun={t("master.code")}
              columns={codeColumns(t)}
              list={commands.listCodes}
              exportList={commands.exportCodes}
              parentId={group.id}
              save={commands.saveCode}
              blank={{ groupId: group.id, code: "", name: "", attr1: null, attr2: null, attr3: null, seq: 0, active: true }}
              toInput={(c) => c}
              fields={() => [
                { name: "code", label: t("master.code"), kind: "text", required: true, max: 20 },
                { name: "name", label: t("master.codes.name"), kind: "text", required: true, max: 50 },
                { name: "attr1", label: t("master.codes.attr1"), kind: "text", max: 100 },
                { name: "attr2", label: t("master.codes.attr2"), kind: "text", max: 100 },
                { name: "attr3", label: t("master.codes.attr3"), kind: "text", max: 100 },
                { name: "seq", label: t("master.order"), kind: "number", min: 0, max: 9999 },
                { name: "active", label: t("master.inUse"), kind: "switch" },
              ]}
            />
          )}
        </Card>
      </Col>
    </Row>
  );
}
