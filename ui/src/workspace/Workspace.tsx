import {
  AppstoreOutlined,
  BarChartOutlined,
  CameraOutlined,
  DashboardOutlined,
  DatabaseOutlined,
  FundOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  SettingOutlined,
  ShoppingCartOutlined,
  SolutionOutlined,
  ToolOutlined,
} from "@ant-design/icons";
import { Button, Layout, Menu, Space, Tag, Tooltip, Typography, type MenuProps } from "antd";
import { useCallback, useReducer, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { commands, type AppInfo, type Session } from "../bindings";
import { BrandMark, LanguageSwitch } from "../components";
import { HOME, MENU, type ScreenKey } from "../menu";
import { useNotify } from "../notify";
import { HazardAlerts } from "./HazardAlerts";
import NotBuilt from "../screens/NotBuilt";
import AuditScreen from "../screens/AuditScreen";
import InspectionHistory from "../screens/InspectionHistory";
import InspectionMonitor from "../screens/InspectionMonitor";
import PasswordDialog from "../screens/PasswordDialog";
import SettingsScreen from "../screens/SettingsScreen";
import ModelsScreen from "../screens/ModelsScreen";
import StationsScreen from "../screens/StationsScreen";
import UsersScreen from "../screens/UsersScreen";
import CommonCodesScreen from "../master/CommonCodesScreen";
import LeadTimesScreen from "../master/LeadTimesScreen";
import RoutingsScreen from "../master/RoutingsScreen";
import {
  DefectCodesScreen,
  DowntimeReasonsScreen,
  EquipmentScreen,
  ItemsScreen,
  PartnersScreen,
  ProcessesScreen,
} from "../master/screens";
import DowntimeScreen from "../production/DowntimeScreen";
import LotsScreen from "../production/LotsScreen";
import { OeeScreen, PlanVsActualScreen } from "../production/ReportsScreens";
import TerminalScreen from "../production/TerminalScreen";
import WorkOrdersScreen from "../production/WorkOrdersScreen";
import PurchaseOrdersScreen from "../sales/PurchaseOrdersScreen";
import SalesOrdersScreen from "../sales/SalesOrdersScreen";
import ShipmentsScreen from "../sales/ShipmentsScreen";
import { EntranceLogScreen, FireLogScreen } from "../screens/EventLogs";
import DailyReportScreen from "../reports/DailyReportScreen";
import DashboardScreen from "../reports/DashboardScreen";
import MonthlyScreen from "../reports/MonthlyScreens";
import QualityScreen from "../reports/QualityScreen";
import DraggableTabs from "./DraggableTabs";
import { tabsReducer } from "./tabs";

const GROUP_ICONS: Record<string, ReactNode> = {
  sales: <SolutionOutlined />,
  purchasing: <ShoppingCartOutlined />,
  production: <ToolOutlined />,
  vision: <CameraOutlined />,
  quality: <BarChartOutlined />,
  management: <FundOutlined />,
  master: <DatabaseOutlined />,
  system: <SettingOutlined />,
};

function Screen({ screen, session, info, open }: { screen: ScreenKey; session: Session; info: AppInfo; open: (key: ScreenKey) => void }) {
  switch (screen) {
    case "dashboard":
      return <DashboardScreen open={open} office={session.user.role !== "operator"} />;
    case "inspectionMonitor":
      return <InspectionMonitor session={session} />;
    case "stations":
      return <StationsScreen session={session} />;
    case "models":
      return <ModelsScreen session={session} />;
    case "defectLog":
      return <InspectionHistory session={session} />;
    case "users":
      return <UsersScreen session={session} />;
    case "partners":
      return <PartnersScreen session={session} />;
    case "items":
      return <ItemsScreen session={session} />;
    case "routings":
      return <RoutingsScreen session={session} />;
    case "processes":
      return <ProcessesScreen session={session} />;
    case "equipment":
      return <EquipmentScreen session={session} />;
    case "commonCodes":
      return <CommonCodesScreen session={session} />;
    case "defectCodes":
      return <DefectCodesScreen session={session} />;
    case "downtimeReasons":
      return <DowntimeReasonsScreen session={session} />;
    case "leadTimes":
      return <LeadTimesScreen session={session} />;
    case "salesOrderList":
      return <SalesOrdersScreen session={session} intentKey="salesOrderList" />;
    case "salesOrder":
    case "drawings":
      return <SalesOrdersScreen session={session} />;
    case "shipments":
      return <ShipmentsScreen session={session} />;
    case "purchaseOrderList":
      return <PurchaseOrdersScreen session={session} mode="orders" intentKey="purchaseOrderList" />;
    case "purchaseOrder":
    case "purchaseOrderForm":
      return <PurchaseOrdersScreen session={session} mode="orders" />;
    case "goodsReceipt":
      return <PurchaseOrdersScreen session={session} mode="receipt" />;
    case "workOrders":
      return <WorkOrdersScreen session={session} mode="plan" />;
    case "productionResults":
      return <WorkOrdersScreen session={session} mode="results" />;
    case "terminal":
      return <TerminalScreen />;
    case "downtime":
      return <DowntimeScreen session={session} />;
    case "lots":
      return <LotsScreen />;
    case "planVsActual":
      return <PlanVsActualScreen />;
    case "oee":
      return <OeeScreen />;
    case "quality":
      return <QualityScreen />;
    case "entranceLog":
      return <EntranceLogScreen />;
    case "fireLog":
      return <FireLogScreen />;
    case "dailyReport":
      return <DailyReportScreen />;
    case "monthlyOrders":
    case "monthlyOutsourcing":
    case "monthlyShipments":
    case "cumulative":
      return <MonthlyScreen kind={screen} />;
    case "audit":
      return <AuditScreen session={session} />;
    case "machineSettings":
      return <SettingsScreen info={info} session={session} />;
    default:
      return <NotBuilt screen={screen} />;
  }
}

/** Menu groups for office staff only. */
const OFFICE_GROUPS = ["master", "sales", "purchasing", "management"];

/** The signed-in shell: collapsible menu, header, and a tab per open screen. */
export default function Workspace({ session, info }: { session: Session; info: AppInfo }) {
  const { t, i18n } = useTranslation();
  const notify = useNotify();
  const [collapsed, setCollapsed] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  // Operators start at the shop-floor terminal; everyone else at the dashboard.
  const first: ScreenKey = session.user.role === "operator" ? "terminal" : HOME;
  const [tabs, dispatch] = useReducer(tabsReducer, { open: [first], active: first });
  const openScreen = useCallback((key: ScreenKey) => dispatch({ type: "open", key }), []);

  const label = (key: string, testid: string) => <span data-testid={testid}>{t(`menu.${key}`)}</span>;
  const menuItems: MenuProps["items"] = [
    { key: HOME, icon: <DashboardOutlined />, label: label(HOME, `menu-${HOME}`) },
    // Operators work from the terminal and stations: master data, orders and
    // money are not theirs (Rust refuses them too).
    ...MENU.filter((group) => session.user.role !== "operator" || !OFFICE_GROUPS.includes(group.key)).map((group) => ({
      key: `group:${group.key}`,
      icon: GROUP_ICONS[group.key] ?? <AppstoreOutlined />,
      label: label(group.key, `menu-group-${group.key}`),
      children: group.screens.map((screen) => ({ key: screen, label: label(screen, `menu-${screen}`) })),
    })),
  ];

  const logout = async () => {
    try {
      await commands.logout(); // sessionChanged returns the app to the login screen
    } catch (e) {
      notify.error(e);
    }
  };

  const loggedInAt = new Date(session.loggedInAt).toLocaleTimeString(i18n.language, {
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });

  return (
    <Layout style={{ height: "100%" }}>
      <Layout.Sider collapsible collapsed={collapsed} trigger={null} width={220} theme="light" style={{ overflow: "auto" }}>
        <div className="brand" style={{ padding: "16px 20px" }}>
          <BrandMark />
          {!collapsed && <Typography.Text strong>{t("app.name")}</Typography.Text>}
        </div>
        <Menu
          mode="inline"
          data-testid="main-menu"
          selectedKeys={tabs.active ? [tabs.active] : []}
          items={menuItems}
          onClick={({ key }) => dispatch({ type: "open", key: key as ScreenKey })}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: "#fff",
            padding: "0 16px",
            display: "flex",
            alignItems: "center",
            justifyContent: "space-between",
            borderBottom: "1px solid #f0f0f0",
          }}
        >
          <Space>
            <Tooltip title={collapsed ? t("header.expand") : t("header.collapse")}>
              <Button
                type="text"
                data-testid="menu-toggle"
                icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                onClick={() => setCollapsed(!collapsed)}
              />
            </Tooltip>
          </Space>
          <Space size="middle">
            <LanguageSwitch />
            <Tooltip title={t("password.title")}>
              <span data-testid="header-user" style={{ cursor: "pointer" }} onClick={() => setChangingPassword(true)}>
                <Typography.Text strong>{session.user.displayName}</Typography.Text>{" "}
                <Tag>{t(`roles.${session.user.role}`)}</Tag>
              </span>
            </Tooltip>
            <Typography.Text type="secondary" data-testid="header-login-time">
              {t("header.loggedInAt", { time: loggedInAt })}
            </Typography.Text>
            <Button icon={<LogoutOutlined />} onClick={() => void logout()} data-testid="logout">
              {t("header.logout")}
            </Button>
          </Space>
        </Layout.Header>
        {changingPassword && <PasswordDialog onClose={() => setChangingPassword(false)} />}
        <HazardAlerts open={openScreen} />
        <Layout.Content style={{ padding: "8px 16px 16px", overflow: "auto", background: "#f5f6f8" }}>
          <DraggableTabs
            type="editable-card"
            hideAdd
            data-testid="workspace-tabs"
            activeKey={tabs.active ?? undefined}
            onChange={(key) => dispatch({ type: "activate", key: key as ScreenKey })}
            onEdit={(key, action) => {
              if (action === "remove" && typeof key === "string") dispatch({ type: "close", key: key as ScreenKey });
            }}
            onMove={(from, to) => dispatch({ type: "move", from: from as ScreenKey, to: to as ScreenKey })}
            items={tabs.open.map((key) => ({
              key,
              label: <span data-testid={`tab-${key}`}>{t(`menu.${key}`)}</span>,
              children: <Screen screen={key} session={session} info={info} open={(k: ScreenKey) => dispatch({ type: "open", key: k })} />,
            }))}
          />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
