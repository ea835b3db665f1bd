//! The demo plant a new install may start with: a small Korean metal
//! fabrication shop's partners, items and routings, equipment with its
//! maintenance, codes, defect codes, downtime reasons, the lead-time table,
//! and a user of every role. Written in one transaction, each record with
//! its audit row, by the administrator who chose it.

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

/// Routing steps: (process code, cycle seconds).
type Steps = &'static [(&'static str, f64)];

/// (part number, name, spec, unit, routing)
const ITEMS: [(&str, &str, &str, &str, Steps); 10] = [
    (
        "BRK-1001",
        "브래킷 A",
        "SS400 t3.2 120×80",
        "EA",
        &[("P10", 35.0), ("P20", 48.0), ("P50", 6.0)],
    ),
    (
        "BRK-1002",
        "브래킷 B",
        "SS400 t4.5 150×90",
        "EA",
        &[("P10", 40.0), ("P20", 55.0), ("P50", 6.0)],
    ),
    (
        "FLG-2001",
        "플랜지 50A",
        "SCP1 t6 Ø155",
        "EA",
        &[("P10", 30.0), ("P30", 90.0), ("P50", 8.0)],
    ),
    (
        "FLG-2002",
        "플랜지 80A",
        "SCP1 t8 Ø200",
        "EA",
        &[("P10", 38.0), ("P30", 120.0), ("P50", 8.0)],
    ),
    (
        "FRM-3001",
        "컨베이어 프레임",
        "STS304 1200×400",
        "SET",
        &[("P10", 420.0), ("P20", 900.0), ("P40", 600.0), ("P50", 30.0)],
    ),
    (
        "CVR-4001",
        "제어반 커버",
        "SPCC t1.6 600×400",
        "EA",
        &[("P10", 95.0), ("P40", 180.0), ("P50", 12.0)],
    ),
    (
        "SFT-5001",
        "구동 샤프트",
        "S45C Ø30×450",
        "EA",
        &[("P30", 240.0), ("P50", 15.0)],
    ),
    (
        "WSH-6001",
        "평와셔 M12",
        "SS400 t2.5 Ø24",
        "EA",
        &[("P10", 2.0), ("P50", 0.8)],
    ),
    (
        "BLT-6002",
        "육각볼트 M12×40",
        "SCM435 8.8",
        "EA",
        &[("P30", 4.0), ("P50", 0.8)],
    ),
    (
        "LBL-7001",
        "명판 라벨",
        "PET 60×30",
        "EA",
        &[("P40", 3.0), ("P50", 1.0)],
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
    /// demo users get `password`: the one the administrator just chose.
    pub async fn seed_demo_plant(&self, admin: &User, password: &str, machine: &str) -> Result<()> {
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
        let today = Utc::now().date_naive();
        let mut transaction = self.write().await?;
        let tx: &mut sqlx::SqliteConnection = &mut transaction;
        for (new, hash) in &users {
            insert_user(tx, new, hash, admin, machine).await?;
        }
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
        for (part_no, name, spec, unit, steps) in ITEMS {
            let input = items::ItemInput {
                part_no: part_no.into(),
                name: name.into(),
                spec: Some(spec.into()),
                unit: unit.into(),
                remarks: None,
                active: true,
            };
            let item = save_in::<items::Item>(tx, None, items::Item::values(input)?, admin, machine).await?;
            let steps = steps
                .iter()
                .map(|&(code, cycle_seconds)| items::RoutingStepInput {
                    process_id: process(code) as i32,
                    work_center: Some(format!("WC-{}", &code[1..])).filter(|_| code != "P50"),
                    equipment_id: None,
                    cycle_seconds,
                    station_id: None,
                })
                .collect();
            let routing = items::RoutingInput {
                item_id: item.id as i32,
                name: "기본".into(),
                remarks: None,
                active: true,
                is_default: true,
                steps,
            };
            items::save_routing_in(tx, None, routing, admin, machine).await?;
        }
        for (code, name, category) in DEFECTS {
            let input = DefectCodeInput {
                code: code.into(),
                name: name.into(),
                category: category.into(),
                active: true,
            };
            save_in::<DefectCode>(tx, None, DefectCode::values(input)?, admin, machine).await?;
        }
        for (code, name, category) in DOWNTIME {
            let input = DowntimeReasonInput {
                code: code.into(),
                name: name.into(),
                category,
                active: true,
            };
            save_in::<DowntimeReason>(tx, None, DowntimeReason::values(input)?, admin, machine).await?;
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
        transaction.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        master::{ListQuery, items::Item, tests::actor},
        store::tests::temp_store,
    };

    #[tokio::test]
    async fn the_demo_plant_is_complete_audited_and_signs_in() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        store
            .seed_demo_plant(&admin, "correct horse", "pc")
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
                .seed_demo_plant(&admin, "correct horse", "pc")
                .await
                .is_err()
        );
        assert_eq!(store.list::<Partner>(&all).await.unwrap().total, 12);
    }
}
