//! The demo plant a new install may start with: a small Korean metal
//! fabrication shop's partners, items and routings, equipment with its
//! maintenance, codes, defect codes, downtime reasons, the lead-time table,
//! a user of every role, and a year of production history up to today (see
//! `demo/history.rs`). Written in one transaction, each master record with its
//! audit row (the history with one for all of it), by the administrator who
//! chose it.

mod history;

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};

use crate::{
    Result, Store,
    auth::{Role, User},
    master::{
        Master, equipment, items,
        lead_times::{self, LeadTimeRow, ProcessOffset},
        partners::{Partner, PartnerInput, PartnerKind},
        reference::{
            Code, CodeGroup, CodeGroupInput, CodeInput, DefectCode, DefectCodeInput, DowntimeCategory,
            DowntimeReason, DowntimeReasonInput, Process,
        },
        save_in,
    },
    users::{NewUser, checked_user, insert_user},
};

/// (kind, name, business number, CEO, phone, address)
const PARTNERS: [(PartnerKind, &str, &str, &str, &str, &str); 12] = [
    (
        PartnerKind::Customer,
        "대성모터스(주)",
        "134-85-26014",
        "김대성",
        "031-488-1200",
        "경기도 시흥시 공단1대로 215",
    ),
    (
        PartnerKind::Customer,
        "한빛중공업(주)",
        "123-88-15901",
        "이한빛",
        "055-280-3300",
        "경상남도 창원시 성산구 공단로 77",
    ),
    (
        PartnerKind::Customer,
        "세명전기(주)",
        "609-88-30162",
        "박세명",
        "031-8041-2200",
        "경기도 안산시 단원구 산단로 102",
    ),
    (
        PartnerKind::Customer,
        "우진산업",
        "141-86-13187",
        "최우진",
        "032-815-4410",
        "인천광역시 남동구 남동대로 180",
    ),
    (
        PartnerKind::Both,
        "태광엔지니어링(주)",
        "214-86-09133",
        "정태광",
        "02-2026-5100",
        "서울특별시 금천구 가산디지털1로 168",
    ),
    (
        PartnerKind::Supplier,
        "동방철강(주)",
        "312-89-09966",
        "윤동방",
        "051-329-7700",
        "부산광역시 사상구 새벽로 211",
    ),
    (
        PartnerKind::Supplier,
        "서해볼트",
        "135-80-30821",
        "한서해",
        "031-432-0909",
        "경기도 화성시 향남읍 제약단지로 55",
    ),
    (
        PartnerKind::Supplier,
        "경인열처리(주)",
        "610-84-62818",
        "오경인",
        "032-583-2211",
        "인천광역시 서구 가좌로 84",
    ),
    (
        PartnerKind::Supplier,
        "우성도장",
        "503-89-48212",
        "장우성",
        "053-592-1180",
        "대구광역시 달서구 성서공단로 11",
    ),
    (
        PartnerKind::Supplier,
        "한국기계상사",
        "137-89-93510",
        "서한국",
        "02-2677-3030",
        "서울특별시 구로구 경인로 661",
    ),
    (
        PartnerKind::Supplier,
        "신라용접재",
        "410-88-19096",
        "김신라",
        "062-944-6060",
        "광주광역시 광산구 하남산단6번로 97",
    ),
    (
        PartnerKind::Customer,
        "미래로보틱스(주)",
        "129-83-78651",
        "문미래",
        "031-739-8800",
        "경기도 성남시 중원구 사기막골로 124",
    ),
];

/// Routing steps: (process code, cycle seconds, equipment code). Every step
/// is done at the work centre of its process (P10 → WC-10, …).
type Steps = &'static [(&'static str, f64, Option<&'static str>)];

/// (part number, name, spec, unit, routing)
/// The demo item whose parts get serial numbers.
const SERIALIZED: &str = "FRM-3001";

const ITEMS: [(&str, &str, &str, &str, Steps); 10] = [
    (
        "BRK-1001",
        "브래킷 A",
        "SS400 t3.2 120×80",
        "EA",
        &[
            ("P10", 35.0, Some("EQ-LSR-01")),
            ("P20", 48.0, Some("EQ-WLD-01")),
            ("P50", 6.0, None),
        ],
    ),
    (
        "BRK-1002",
        "브래킷 B",
        "SS400 t4.5 150×90",
        "EA",
        &[
            ("P10", 40.0, Some("EQ-LSR-01")),
            ("P20", 55.0, Some("EQ-WLD-02")),
            ("P50", 6.0, None),
        ],
    ),
    (
        "FLG-2001",
        "플랜지 50A",
        "SCP1 t6 Ø155",
        "EA",
        &[
            ("P10", 30.0, Some("EQ-LSR-01")),
            ("P30", 90.0, Some("EQ-MCT-01")),
            ("P50", 8.0, None),
        ],
    ),
    (
        "FLG-2002",
        "플랜지 80A",
        "SCP1 t8 Ø200",
        "EA",
        &[
            ("P10", 38.0, Some("EQ-LSR-01")),
            ("P30", 120.0, Some("EQ-MCT-01")),
            ("P50", 8.0, None),
        ],
    ),
    (
        "FRM-3001",
        "컨베이어 프레임",
        "STS304 1200×400",
        "SET",
        &[
            ("P10", 420.0, Some("EQ-LSR-01")),
            ("P20", 900.0, Some("EQ-WLD-01")),
            ("P40", 600.0, Some("EQ-ASM-01")),
            ("P50", 30.0, None),
        ],
    ),
    (
        "CVR-4001",
        "제어반 커버",
        "SPCC t1.6 600×400",
        "EA",
        &[
            ("P10", 95.0, Some("EQ-LSR-01")),
            ("P40", 180.0, Some("EQ-ASM-01")),
            ("P50", 12.0, None),
        ],
    ),
    (
        "SFT-5001",
        "구동 샤프트",
        "S45C Ø30×450",
        "EA",
        &[("P30", 240.0, Some("EQ-LTH-01")), ("P50", 15.0, None)],
    ),
    (
        "WSH-6001",
        "평와셔 M12",
        "SS400 t2.5 Ø24",
        "EA",
        &[("P10", 2.0, Some("EQ-LSR-01")), ("P50", 0.8, None)],
    ),
    (
        "BLT-6002",
        "육각볼트 M12×40",
        "SCM435 8.8",
        "EA",
        &[("P30", 4.0, Some("EQ-LTH-01")), ("P50", 0.8, None)],
    ),
    (
        "LBL-7001",
        "명판 라벨",
        "PET 60×30",
        "EA",
        &[("P40", 3.0, None), ("P50", 1.0, None)],
    ),
];

/// (code, name, maker, supplier index in PARTNERS, installed days ago, price, calibration)
const EQUIPMENT: [(&str, &str, &str, usize, i64, i64, bool); 8] = [
    (
        "EQ-LSR-01",
        "파이버 레이저 절단기 3kW",
        "한국레이저",
        9,
        1420,
        385_000_000,
        false,
    ),
    (
        "EQ-BND-01",
        "CNC 절곡기 150톤",
        "화천기계",
        9,
        2210,
        142_000_000,
        false,
    ),
    (
        "EQ-WLD-01",
        "CO2 용접기 500A #1",
        "현대용접",
        10,
        980,
        6_800_000,
        false,
    ),
    (
        "EQ-WLD-02",
        "CO2 용접기 500A #2",
        "현대용접",
        10,
        975,
        6_800_000,
        false,
    ),
    (
        "EQ-MCT-01",
        "머시닝센터 VMC-850",
        "두산공작기계",
        9,
        1760,
        168_000_000,
        true,
    ),
    (
        "EQ-LTH-01",
        "CNC 선반 LYNX-220",
        "두산공작기계",
        9,
        1500,
        98_000_000,
        true,
    ),
    (
        "EQ-ASM-01",
        "조립 지그 라인",
        "자체 제작",
        4,
        640,
        24_000_000,
        false,
    ),
    (
        "EQ-VIS-01",
        "비전 검사 스테이션",
        "Linesight",
        4,
        120,
        18_500_000,
        true,
    ),
];

const DEFECTS: [(&str, &str, &str); 8] = [
    ("D-SCR", "스크래치", "외관"),
    ("D-DNT", "찍힘", "외관"),
    ("D-CON", "이물", "외관"),
    ("D-DIM", "치수 불량", "치수"),
    ("D-POR", "용접 기공", "기능"),
    ("D-BUR", "버(Burr)", "외관"),
    ("D-PNT", "도장 불량", "외관"),
    ("D-LBL", "라벨 인쇄 불량", "외관"),
];

const DOWNTIME: [(&str, &str, DowntimeCategory); 8] = [
    ("S-LUN", "점심 시간", DowntimeCategory::Planned),
    ("S-PM", "계획 보전", DowntimeCategory::Planned),
    ("S-BRK", "설비 고장", DowntimeCategory::Availability),
    ("S-CHG", "금형·지그 교체", DowntimeCategory::Availability),
    ("S-MAT", "자재 대기", DowntimeCategory::Availability),
    ("S-SLW", "속도 저하", DowntimeCategory::Performance),
    ("S-MIN", "순간 정지", DowntimeCategory::Performance),
    ("S-RWK", "품질 재작업", DowntimeCategory::Quality),
];

/// A group's codes: (code, name, attribute 1).
type Codes = &'static [(&'static str, &'static str, &'static str)];

/// (group code, name, codes)
const CODES: [(&str, &str, Codes); 3] = [
    (
        "UNIT",
        "단위",
        &[
            ("EA", "개", ""),
            ("SET", "세트", ""),
            ("KG", "킬로그램", ""),
            ("M", "미터", ""),
        ],
    ),
    (
        "WC",
        "작업장",
        &[
            ("WC-10", "제관 1라인", "P10"),
            ("WC-20", "용접 라인", "P20"),
            ("WC-30", "가공 라인", "P30"),
            ("WC-40", "조립 라인", "P40"),
            ("WC-50", "검사실", "P50"),
        ],
    ),
    (
        "SHIFT",
        "근무조",
        &[("DAY", "주간", "08:00-17:00"), ("NIGHT", "야간", "20:00-05:00")],
    ),
];

/// (max lead days, offset per process P10…P50)
const LEAD_TIMES: [(i64, [i64; 5]); 4] = [
    (7, [0, 1, 2, 3, 5]),
    (14, [0, 3, 5, 8, 11]),
    (30, [0, 7, 12, 18, 25]),
    (60, [0, 14, 25, 38, 52]),
];

/// The other roles, signing in with the administrator's password until they change it.
const USERS: [(&str, &str, Role); 4] = [
    ("manager", "이사무", Role::Manager),
    ("operator1", "김작업", Role::Operator),
    ("operator2", "박현장", Role::Operator),
    ("viewer", "정조회", Role::Viewer),
];

impl Store {
    /// Fills an empty install with the demo plant (see the module). The
    /// demo users get `password`: the one the administrator just chose. The
    /// inspection steps are watched by `inspection_station` when there is one.
    pub async fn seed_demo_plant(
        &self,
        admin: &User,
        password: &str,
        machine: &str,
        inspection_station: Option<i64>,
    ) -> Result<()> {
        self.seed_demo_plant_at(admin, password, machine, inspection_station, Utc::now())
            .await
    }

    /// The demo plant with its history ending at `now`.
    pub(crate) async fn seed_demo_plant_at(
        &self,
        admin: &User,
        password: &str,
        machine: &str,
        inspection_station: Option<i64>,
        now: chrono::DateTime<Utc>,
    ) -> Result<()> {
        let mut users = Vec::new();
        for (username, display_name, role) in USERS {
            users.push(
                checked_user(NewUser {
                    username: username.into(),
                    display_name: display_name.into(),
                    role,
                    password: password.into(),
                })
                .await?,
            );
        }
        let today = now.date_naive();
        let mut transaction = self.write().await?;
        let tx: &mut sqlx::SqliteConnection = &mut transaction;
        let mut user_ids = HashMap::new();
        for (new, hash) in &users {
            let row = insert_user(tx, new, hash, admin, machine).await?;
            user_ids.insert(new.username.clone(), row.id);
        }
        let user_id = |name: &str| user_ids.get(name).copied().unwrap_or(admin.id);
        // The demo company's own details, as its forms print them (no seal: that is the user's to add).
        sqlx::query(
            "INSERT INTO company (id, name, biz_no, ceo, address, phone, updated_at)
             VALUES (1, '(주)한결정밀', '2148603518', '정한결', '경기도 안산시 단원구 별망로 123', '031-492-7700', ?)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(crate::inspections::stamp(now))
        .execute(&mut *tx)
        .await?;
        let mut partners = Vec::new();
        for (kind, name, biz_no, ceo, phone, address) in PARTNERS {
            let input = PartnerInput {
                kind,
                name: name.into(),
                biz_no: Some(biz_no.into()),
                ceo: Some(ceo.into()),
                phone: Some(phone.into()),
                fax: None,
                address: Some(address.into()),
                remarks: None,
                active: true,
            };
            partners.push(save_in::<Partner>(tx, None, Partner::values(input)?, admin, machine).await?);
        }
        let processes: Vec<Process> = sqlx::query_as("SELECT * FROM processes_list ORDER BY seq")
            .fetch_all(&mut *tx)
            .await?;
        let process = |code: &str| processes.iter().find(|p| p.code == code).map_or(0, |p| p.id);
        let mut equipment_ids = HashMap::new();
        for (i, (code, name, maker, supplier, days_ago, price, calibration)) in
            EQUIPMENT.into_iter().enumerate()
        {
            let installed = today - Duration::days(days_ago);
            let input = equipment::EquipmentInput {
                code: code.into(),
                name: name.into(),
                maker: Some(maker.into()),
                supplier_id: Some(partners[supplier].id as i32),
                delivered_on: Some(installed - Duration::days(7)),
                installed_on: Some(installed),
                manager: Some(if i % 2 == 0 { "박설비" } else { "한보전" }.into()),
                price: Some(price),
                calibration,
                calibration_due: calibration.then(|| today + Duration::days(30 + 45 * i as i64)),
                remarks: None,
                active: true,
            };
            let saved = save_in::<equipment::Equipment>(
                tx,
                None,
                equipment::Equipment::values(input)?,
                admin,
                machine,
            )
            .await?;
            equipment_ids.insert(code, saved.id);
            for (n, text) in [
                "정기 점검: 윤활유 보충, 이상 없음",
                "소모품 교체",
                "분기 정밀 점검",
            ]
            .iter()
            .enumerate()
            {
                let day: NaiveDate = today - Duration::days(20 + 90 * n as i64 + 7 * i as i64);
                equipment::add_maintenance_in(tx, saved.id, day, text, admin, machine).await?;
            }
        }
        let mut plant_items = Vec::new();
        for (part_no, name, spec, unit, steps) in ITEMS {
            let input = items::ItemInput {
                part_no: part_no.into(),
                name: name.into(),
                spec: Some(spec.into()),
                unit: unit.into(),
                remarks: None,
                active: true,
                // The conveyor frame is tracked part by part.
                serialized: part_no == SERIALIZED,
            };
            let item = save_in::<items::Item>(tx, None, items::Item::values(input)?, admin, machine).await?;
            let steps: Vec<history::PlantStep> = steps
                .iter()
                .map(|&(code, cycle_seconds, equipment)| history::PlantStep {
                    process_id: process(code),
                    process: code,
                    work_center: format!("WC-{}", &code[1..]),
                    equipment_id: equipment.and_then(|e| equipment_ids.get(e).copied()),
                    station_id: inspection_station.filter(|_| code == "P50"),
                    cycle_seconds,
                })
                .collect();
            let routing = items::RoutingInput {
                item_id: item.id as i32,
                name: "기본".into(),
                remarks: None,
                active: true,
                is_default: true,
                steps: steps
                    .iter()
                    .map(|s| items::RoutingStepInput {
                        process_id: s.process_id as i32,
                        work_center: Some(s.work_center.clone()),
                        equipment_id: s.equipment_id.map(|e| e as i32),
                        cycle_seconds: s.cycle_seconds,
                        station_id: s.station_id.map(|s| s as i32),
                    })
                    .collect(),
            };
            let routing = items::save_routing_in(tx, None, routing, admin, machine).await?;
            plant_items.push(history::PlantItem {
                id: item.id,
                part_no,
                serialized: item.serialized,
                routing_id: routing.routing.id,
                steps,
            });
        }
        let mut defects = HashMap::new();
        for (code, name, category) in DEFECTS {
            let input = DefectCodeInput {
                code: code.into(),
                name: name.into(),
                category: category.into(),
                active: true,
            };
            let saved = save_in::<DefectCode>(tx, None, DefectCode::values(input)?, admin, machine).await?;
            defects.insert(code, saved.id);
        }
        let mut reasons = HashMap::new();
        for (code, name, category) in DOWNTIME {
            let input = DowntimeReasonInput {
                code: code.into(),
                name: name.into(),
                category,
                active: true,
            };
            let saved =
                save_in::<DowntimeReason>(tx, None, DowntimeReason::values(input)?, admin, machine).await?;
            reasons.insert(code, saved.id);
        }
        for (code, name, codes) in CODES {
            let group = CodeGroupInput {
                code: code.into(),
                name: name.into(),
                remarks: None,
                active: true,
            };
            let group = save_in::<CodeGroup>(tx, None, CodeGroup::values(group)?, admin, machine).await?;
            for (seq, (code, name, attr1)) in (1..).zip(codes.iter()) {
                let input = CodeInput {
                    group_id: group.id as i32,
                    code: (*code).into(),
                    name: (*name).into(),
                    attr1: Some((*attr1).into()),
                    attr2: None,
                    attr3: None,
                    seq,
                    active: true,
                };
                save_in::<Code>(tx, None, Code::values(input)?, admin, machine).await?;
            }
        }
        let rows = LEAD_TIMES
            .iter()
            .map(|(max_days, offsets)| LeadTimeRow {
                max_days: *max_days,
                offsets: processes
                    .iter()
                    .zip(offsets)
                    .map(|(p, &day_offset)| ProcessOffset {
                        process_id: p.id,
                        day_offset,
                    })
                    .collect(),
            })
            .collect();
        lead_times::save_lead_times_in(tx, rows, admin, machine).await?;
        let plant = history::Plant {
            items: plant_items,
            partners: partners.iter().map(|p| p.id).collect(),
            defects,
            reasons,
            operators: [user_id("operator1"), user_id("operator2")],
            manager: user_id("manager"),
            welders: ["EQ-WLD-01", "EQ-WLD-02"].map(|e| equipment_ids.get(e).copied().unwrap_or_default()),
        };
        history::write(tx, &plant, admin, machine, now).await?;
        transaction.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        master::{ListQuery, items::Item, tests::actor},
        production::OperationStatus,
        store::tests::temp_store,
    };

    #[tokio::test]
    async fn the_demo_plant_is_complete_audited_and_signs_in() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        store
            .seed_demo_plant(&admin, "correct horse", "pc", None)
            .await
            .unwrap();
        let all = ListQuery {
            limit: 500,
            ..ListQuery::default()
        };
        assert_eq!(store.list::<Partner>(&all).await.unwrap().total, 12);
        let items = store.list::<Item>(&all).await.unwrap();
        assert_eq!(items.total, 10);
        assert!(
            items
                .rows
                .iter()
                .all(|i| i.default_routing_name.as_deref() == Some("기본"))
        );
        assert_eq!(store.list::<equipment::Equipment>(&all).await.unwrap().total, 8);
        assert_eq!(store.plan_offsets(10).await.unwrap().unwrap().len(), 5);
        let user = store.login("operator1", "correct horse", "pc").await.unwrap();
        assert_eq!(user.role, Role::Operator);
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'create'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(audited > 80, "every record has its audit row: {audited}");

        // A second run changes nothing: the first duplicate refuses the whole transaction.
        assert!(
            store
                .seed_demo_plant(&admin, "correct horse", "pc", None)
                .await
                .is_err()
        );
        assert_eq!(store.list::<Partner>(&all).await.unwrap().total, 12);
    }

    /// Counts a query's rows.
    async fn count(store: &Store, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&store.pool).await.unwrap()
    }

    #[tokio::test]
    async fn the_demo_plant_has_a_year_of_production_with_open_work_today() {
        use chrono::{Datelike, Local};

        use crate::{inspections::NewStation, production::oee::OeeGroup};

        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let station = store
            .create_station(
                NewStation {
                    name: "데모 라인".into(),
                    config_json: "{}".into(),
                },
                &admin,
                "pc",
            )
            .await
            .unwrap();
        let started = std::time::Instant::now();
        store
            .seed_demo_plant(&admin, "correct horse", "pc", Some(station.id))
            .await
            .unwrap();
        eprintln!("demo plant with its history seeded in {:?}", started.elapsed());
        for (table, sql) in [
            ("work orders", "SELECT COUNT(*) FROM work_orders"),
            ("operations", "SELECT COUNT(*) FROM operations"),
            ("reports", "SELECT COUNT(*) FROM operation_reports"),
            ("report defects", "SELECT COUNT(*) FROM report_defects"),
            ("downtimes", "SELECT COUNT(*) FROM downtimes"),
            ("lots", "SELECT COUNT(*) FROM lots"),
            ("lot inputs", "SELECT COUNT(*) FROM lot_inputs"),
            ("inspections", "SELECT COUNT(*) FROM inspections"),
        ] {
            eprintln!("{table}: {}", count(&store, sql).await);
        }

        // (a) Every step at a work centre; cutting, welding and machining on a machine;
        // the inspection steps watched by the station.
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM routing_steps WHERE work_center IS NULL"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM routing_steps s JOIN processes p ON p.id = s.process_id
                 WHERE p.code IN ('P10', 'P20', 'P30') AND s.equipment_id IS NULL"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM routing_steps s JOIN processes p ON p.id = s.process_id
                 WHERE p.code = 'P50' AND s.station_id IS NULL"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM routing_steps s JOIN processes p ON p.id = s.process_id
                 WHERE s.work_center <> 'WC-' || substr(p.code, 2)"
            )
            .await,
            0
        );

        // The history is consistent: quantities add up, stops lie within their operation.
        let inconsistent = [
            "SELECT COUNT(*) FROM operations o WHERE good_qty <> (SELECT COALESCE(SUM(good), 0)
                 FROM operation_reports r WHERE r.operation_id = o.id)",
            "SELECT COUNT(*) FROM operation_reports r WHERE ng <> (SELECT COALESCE(SUM(qty), 0)
                 FROM report_defects d WHERE d.report_id = r.id)",
            "SELECT COUNT(*) FROM downtimes d JOIN operations o ON o.id = d.operation_id
                 WHERE d.started_at < o.started_at OR d.ended_at > o.finished_at
                    OR (d.ended_at IS NULL AND o.status = 'finished')",
            "SELECT COUNT(*) FROM operation_reports r JOIN operations o ON o.id = r.operation_id
                 WHERE r.at < o.started_at OR r.at > COALESCE(o.finished_at, r.at)",
            "SELECT COUNT(*) FROM operations o WHERE status = 'paused' AND NOT EXISTS
                 (SELECT 1 FROM downtimes d WHERE d.operation_id = o.id AND d.ended_at IS NULL
                  AND d.source = 'operator')",
            "SELECT COUNT(*) FROM operations a JOIN operations b ON b.equipment_id = a.equipment_id AND b.id > a.id
                 WHERE a.started_at < COALESCE(b.finished_at, '9') AND b.started_at < COALESCE(a.finished_at, '9')",
            "SELECT COUNT(*) FROM lots l JOIN operations o ON o.id = l.operation_id WHERE l.qty <> o.good_qty",
            "SELECT COUNT(*) FROM operations o WHERE o.status = 'finished'
                 AND NOT EXISTS (SELECT 1 FROM lots l WHERE l.operation_id = o.id)",
            "SELECT COUNT(*) FROM work_orders w WHERE (w.status = 'completed') <> NOT EXISTS
                 (SELECT 1 FROM operations o WHERE o.work_order_id = w.id AND o.status <> 'finished')",
            "SELECT COUNT(*) FROM operations WHERE started_at > strftime('%Y-%m-%dT%H:%M:%fZ')",
        ];
        for sql in inconsistent {
            assert_eq!(count(&store, sql).await, 0, "{sql}");
        }
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'demo_history'"
            )
            .await,
            1
        );
        let planned = count(
            &store,
            "SELECT COUNT(*) FROM work_orders WHERE status = 'planned'",
        )
        .await;
        assert!((2..=3).contains(&planned), "{planned} planned orders");
        assert!(
            count(
                &store,
                "SELECT COUNT(*) FROM downtimes WHERE source = 'station' AND reason_id IS NULL"
            )
            .await
                > 0
        );
        assert!(
            count(
                &store,
                "SELECT COUNT(*) FROM downtimes WHERE source = 'station' AND classified_by IS NOT NULL"
            )
            .await
                > 0
        );

        // (b) Last month's OEE per machine is plausible.
        let today = Local::now().date_naive();
        let this_month = today.with_day(1).unwrap();
        let last_day = this_month - Duration::days(1);
        let first_day = last_day.with_day(1).unwrap();
        let oee = store
            .oee(first_day, last_day, OeeGroup::Equipment, &Local, Utc::now())
            .await
            .unwrap();
        assert!(oee.rows.len() >= 5, "{:?}", oee.rows);
        let unit = |v: Option<f64>| v.is_some_and(|v| v > 0.0 && v <= 1.0);
        for row in &oee.rows {
            eprintln!(
                "OEE {:>24}: A {:.3} P {:.3} Q {:.3} OEE {:.3}",
                row.key,
                row.availability.unwrap_or_default(),
                row.performance.unwrap_or_default(),
                row.quality.unwrap_or_default(),
                row.oee.unwrap_or_default()
            );
            assert!(
                unit(row.availability) && unit(row.performance) && unit(row.quality),
                "{row:?}"
            );
        }
        let total = oee.total.oee.unwrap();
        assert!((0.4..=0.95).contains(&total), "total OEE {total}");

        // (c) Plan against actual of last week, with the workers' names.
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 7);
        let week = store
            .plan_vs_actual(monday, monday + Duration::days(6))
            .await
            .unwrap();
        assert!(!week.is_empty());
        assert!(
            week.iter()
                .any(|r| r.operator_name.as_deref() == Some("김작업") && r.finished > 0)
        );
        assert!(week.iter().any(|r| r.operator_name.as_deref() == Some("박현장")));

        // (d) The floor has open work today at several work centres.
        let centres = store.work_centers().await.unwrap();
        assert!(centres.iter().filter(|c| c.open > 0).count() >= 2, "{centres:?}");
        let mut open = Vec::new();
        for c in &centres {
            open.extend(store.open_operations(c.work_center.as_deref()).await.unwrap());
        }
        assert!(!open.is_empty());
        assert!(open.iter().any(|o| o.status == OperationStatus::Running));
        assert!(open.iter().any(|o| o.status == OperationStatus::Paused));
        assert!(open.iter().any(|o| o.status == OperationStatus::Waiting));

        // (e) A last step's lot traces back to the steps before and the material.
        let lot: String = sqlx::query_scalar(
            "SELECT l.lot_no FROM lots l JOIN operations o ON o.id = l.operation_id
             WHERE o.seq = (SELECT MAX(seq) FROM operations x WHERE x.work_order_id = o.work_order_id)
               AND o.seq >= 3
             ORDER BY l.id DESC LIMIT 1",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        let trace = store.lot_trace(&lot).await.unwrap();
        assert!(trace.backward.len() >= 2, "{:?}", trace.backward);
        assert!(trace.backward.iter().any(|l| l.depth == 1 && l.lot_no.is_some()));

        // (f) The station judged every part reported lately on the steps it
        // watches, NG ones with the report's defect codes; the quality roll-up agrees.
        let since = (Local::now().date_naive() - Duration::days(history::INSPECTED_DAYS)).to_string();
        let count_since = |sql: &'static str| {
            let (store, since) = (store.clone(), since.clone());
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .bind(since)
                    .fetch_one(&store.pool)
                    .await
                    .unwrap()
            }
        };
        let reported = count_since(
            "SELECT COALESCE(SUM(r.good + r.ng), 0) FROM operation_reports r
             JOIN operations o ON o.id = r.operation_id WHERE o.station_id IS NOT NULL AND r.at >= ?",
        )
        .await;
        assert!(reported > 1000, "{reported}");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM inspections").await, reported);
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM inspections WHERE verdict = 'ng'").await,
            count_since(
                "SELECT COALESCE(SUM(r.ng), 0) FROM operation_reports r
                 JOIN operations o ON o.id = r.operation_id WHERE o.station_id IS NOT NULL AND r.at >= ?"
            )
            .await
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM inspections WHERE defect_type = 'D-DNT'"
            )
            .await,
            count_since(
                "SELECT COALESCE(SUM(d.qty), 0) FROM report_defects d
                 JOIN defect_codes c ON c.id = d.defect_code_id AND c.code = 'D-DNT'
                 JOIN operation_reports r ON r.id = d.report_id
                 JOIN operations o ON o.id = r.operation_id WHERE o.station_id IS NOT NULL AND r.at >= ?"
            )
            .await
        );
        assert_eq!(
            count(&store, "SELECT COALESCE(SUM(parts), 0) FROM inspection_days").await,
            reported
        );

        // (g) The sales behind the work: every order's sales order follows its
        // work order, and the management figures of the year add up.
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM work_orders WHERE sales_order_line_id IS NULL"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM sales_orders s JOIN sales_order_lines l ON l.order_id = s.id AND l.seq = 1
                 JOIN work_orders w ON w.sales_order_line_id = l.id
                 WHERE (w.status = 'completed') <> (s.status IN ('completed', 'shipped'))"
            )
            .await,
            0
        );
        assert!(
            count(
                &store,
                "SELECT COUNT(*) FROM sales_orders WHERE status = 'shipped'"
            )
            .await
                > 100
        );
        assert!(
            count(
                &store,
                "SELECT COUNT(*) FROM purchase_orders WHERE status = 'received'"
            )
            .await
                > 10
        );
        let year = store.monthly_figures(Local::now().year()).await.unwrap();
        let orders: i64 = year.iter().map(|m| m.domestic_orders + m.export_orders).sum();
        assert!(orders > 0 && year.iter().any(|m| m.export_orders > 0));
        assert!(year.iter().any(|m| m.outsourcing_cost > 0 && m.shipments > 0));

        // (h) A second run is refused and leaves the history as it was.
        let orders = count(&store, "SELECT COUNT(*) FROM work_orders").await;
        assert!(
            store
                .seed_demo_plant(&admin, "correct horse", "pc", Some(station.id))
                .await
                .is_err()
        );
        assert_eq!(count(&store, "SELECT COUNT(*) FROM work_orders").await, orders);
    }

    /// Whatever the time of day or week, the floor has something running,
    /// something paused and something waiting at more than one work centre.
    #[tokio::test]
    async fn the_floor_has_open_work_at_any_hour() {
        use chrono::{Datelike, Local, TimeZone};

        let today = Local::now().date_naive();
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let local = |day: NaiveDate, h: u32, m: u32| {
            Local
                .from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
                .earliest()
                .unwrap()
                .with_timezone(&Utc)
        };
        for now in [
            local(monday - Duration::days(2), 10, 0),  // Saturday
            local(monday - Duration::days(7), 5, 0),   // Monday before the first shift
            local(monday - Duration::days(5), 23, 30), // Wednesday night
        ] {
            let (_dir, store) = temp_store().await;
            let admin = actor(&store).await;
            store
                .seed_demo_plant_at(&admin, "correct horse", "pc", None, now)
                .await
                .unwrap();
            let centres = store.work_centers().await.unwrap();
            assert!(centres.len() >= 2, "{now}: {centres:?}");
            let mut open = Vec::new();
            for c in &centres {
                open.extend(store.open_operations(c.work_center.as_deref()).await.unwrap());
            }
            for status in [
                OperationStatus::Running,
                OperationStatus::Paused,
                OperationStatus::Waiting,
            ] {
                assert!(open.iter().any(|o| o.status == status), "{now}: no {status:?}");
            }
            let late: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM operations WHERE started_at > ?1 OR finished_at > ?1",
            )
            .bind(crate::inspections::stamp(now))
            .fetch_one(&store.pool)
            .await
            .unwrap();
            assert_eq!(late, 0, "{now}: nothing happens after now");
            let paused_without_stop: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM operations o WHERE status = 'paused' AND NOT EXISTS
                 (SELECT 1 FROM downtimes d WHERE d.operation_id = o.id AND d.ended_at IS NULL)",
            )
            .fetch_one(&store.pool)
            .await
            .unwrap();
            assert_eq!(paused_without_stop, 0);
        }
    }
}
