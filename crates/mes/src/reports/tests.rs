//! Every aggregate against figures worked out by hand on a small plant.

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};

use super::quality::{QualityQuery, Signal, p_chart};
use crate::{
    Error, Field, Store,
    auth::User,
    inspections::{InspectionFilter, NewInspection, NewStation, Verdict, stamp},
    master::reference::DowntimeCategory,
    production::{
        OperationStatus,
        oee::{DowntimeLoss, OeeGroup},
        tests::{day, order, plant, reasons_and_defects},
    },
};

fn local(d: &str, hour: u32, minute: u32) -> DateTime<Utc> {
    Local
        .from_local_datetime(&day(d).and_hms_opt(hour, minute, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

async fn station(store: &Store, admin: &User, name: &str) -> i64 {
    store
        .create_station(
            NewStation {
                name: name.into(),
                config_json: "{}".into(),
            },
            admin,
            "pc",
        )
        .await
        .unwrap()
        .id
}

/// `n` parts judged at `station` from `d` 10:00 local on, one a minute;
/// the first `ng.len()` rejected with those defect types.
async fn judge(store: &Store, station: i64, d: &str, n: usize, ng: &[Option<&str>], op: Option<i64>) {
    for i in 0..n {
        let bad = ng.get(i);
        store
            .record_inspection(NewInspection {
                station_id: station,
                at: local(d, 10, i as u32),
                day: day(d),
                model_version: "m1".into(),
                score: if bad.is_some() { 30.0 } else { 10.0 },
                threshold: 20.0,
                verdict: if bad.is_some() { Verdict::Ng } else { Verdict::Ok },
                defect_type: bad.copied().flatten().map(str::to_string),
                image_path: bad.map(|_| format!("ng/{station}-{d}-{i}.png")),
                heatmap_path: None,
                work_order_op_id: op,
                lot: None,
            })
            .await
            .unwrap();
    }
}

struct Plant {
    _dir: tempfile::TempDir,
    store: Store,
    admin: User,
    item: i64,
    a: i64,
    b: i64,
    ops: Vec<i64>,
    work_order_no: String,
}

/// Stations A and B; a released work order of the item (three steps);
/// A judged 8 parts of the order's inspection step on 11-02 (2 NG: F01,
/// F02) and 4 parts under no order on 11-03 (1 NG: F01); B judged 10 good
/// parts on 11-03 and 5 NG parts with no type on 11-05.
async fn inspected_plant() -> Plant {
    let (dir, store, admin, item) = plant().await;
    reasons_and_defects(&store, &admin).await;
    let (a, b) = (
        station(&store, &admin, "검사기 A").await,
        station(&store, &admin, "검사기 B").await,
    );
    let wo = store
        .create_work_order(order(item, 100, &["2026-11-02"; 3]), &admin, "pc")
        .await
        .unwrap();
    let released = store
        .release_work_order(wo.work_order.id, &admin, "pc")
        .await
        .unwrap();
    let ops: Vec<i64> = released.operations.iter().map(|o| o.id).collect();
    judge(
        &store,
        a,
        "2026-11-02",
        8,
        &[Some("F01"), Some("F02")],
        Some(ops[2]),
    )
    .await;
    judge(&store, a, "2026-11-03", 4, &[Some("F01")], None).await;
    judge(&store, b, "2026-11-03", 10, &[], None).await;
    judge(&store, b, "2026-11-05", 5, &[None; 5], None).await;
    Plant {
        _dir: dir,
        store,
        admin,
        item,
        a,
        b,
        ops,
        work_order_no: released.work_order.no,
    }
}

fn query(first: &str, last: &str) -> QualityQuery {
    QualityQuery {
        first: day(first),
        last: day(last),
        station_id: None,
        item_id: None,
        process_id: None,
        defect_type: None,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[tokio::test]
async fn quality_rates_pareto_and_p_chart_match_the_parts_judged() {
    let p = inspected_plant().await;
    let r = p.store.quality(&query("2026-11-02", "2026-11-04")).await.unwrap();
    assert_eq!((r.parts, r.ng), (22, 3));
    let rates =
        |rows: &[super::quality::RateRow]| rows.iter().map(|r| (r.id, r.parts, r.ng)).collect::<Vec<_>>();
    assert_eq!(rates(&r.by_station), [(p.a, 12, 3), (p.b, 10, 0)]);
    assert_eq!(rates(&r.by_item), [(p.item, 8, 2), (0, 14, 1)]);
    assert_eq!(r.by_item[0].label.as_deref(), Some("BR-100 브래킷"));
    assert_eq!(r.by_item[1].label, None);
    let inspection_step: i64 = sqlx::query_scalar("SELECT process_id FROM operations WHERE id = ?")
        .bind(p.ops[2])
        .fetch_one(&p.store.pool)
        .await
        .unwrap();
    assert_eq!(rates(&r.by_process), [(inspection_step, 8, 2), (0, 14, 1)]);

    let pareto: Vec<_> = r
        .pareto
        .iter()
        .map(|x| (x.defect_type.as_str(), x.name.as_deref(), x.ng))
        .collect();
    assert_eq!(pareto, [("F01", Some("찍힘"), 2), ("F02", Some("치수 불량"), 1)]);
    assert!(close(r.pareto[0].share, 2.0 / 3.0) && close(r.pareto[0].cumulative, 2.0 / 3.0));
    assert!(close(r.pareto[1].share, 1.0 / 3.0) && close(r.pareto[1].cumulative, 1.0));

    // 11-04 judged nothing: no point. p̄ = 3/22; limits per day's n.
    let c = 3.0 / 22.0;
    assert!(close(r.p_chart.center.unwrap(), c));
    let days: Vec<_> = r.p_chart.points.iter().map(|x| (x.day, x.parts, x.ng)).collect();
    assert_eq!(days, [(day("2026-11-02"), 8, 2), (day("2026-11-03"), 14, 1)]);
    let first = &r.p_chart.points[0];
    assert!(close(first.p, 0.25));
    assert!(close(first.ucl, c + 3.0 * (c * (1.0 - c) / 8.0).sqrt()));
    assert!(close(first.lcl, 0.0));
    assert_eq!(first.signal, None);

    // A defect type narrows the NG count, not the parts.
    let f01 = p
        .store
        .quality(&QualityQuery {
            defect_type: Some("F01".into()),
            ..query("2026-11-02", "2026-11-04")
        })
        .await
        .unwrap();
    assert_eq!((f01.parts, f01.ng), (22, 2));
    assert_eq!(f01.pareto.len(), 1);
    assert_eq!(rates(&f01.by_station), [(p.a, 12, 2), (p.b, 10, 0)]);

    // One station; untyped NG parts are their own Pareto bar.
    let b = p
        .store
        .quality(&QualityQuery {
            station_id: Some(p.b),
            ..query("2026-11-01", "2026-11-30")
        })
        .await
        .unwrap();
    assert_eq!((b.parts, b.ng), (15, 5));
    assert_eq!(b.pareto.len(), 1);
    assert_eq!((b.pareto[0].defect_type.as_str(), b.pareto[0].ng), ("", 5));
    // All 5 parts of 11-05 rejected against p̄ = 1/3: out of control.
    assert_eq!(b.p_chart.points[1].signal, Some(Signal::BeyondLimits));

    // An item filter keeps only that item's parts.
    let item = p
        .store
        .quality(&QualityQuery {
            item_id: Some(p.item),
            ..query("2026-11-01", "2026-11-30")
        })
        .await
        .unwrap();
    assert_eq!((item.parts, item.ng), (8, 2));

    // Drilling down: the inspections behind a bar.
    let ng = |f: InspectionFilter| {
        let store = p.store.clone();
        async move {
            store
                .list_inspections(InspectionFilter {
                    verdict: Some(Verdict::Ng),
                    ..f
                })
                .await
                .unwrap()
                .len()
        }
    };
    let all = InspectionFilter::default;
    assert_eq!(
        ng(InspectionFilter {
            item_id: Some(p.item),
            ..all()
        })
        .await,
        2
    );
    assert_eq!(
        ng(InspectionFilter {
            item_id: Some(0),
            ..all()
        })
        .await,
        6
    );
    assert_eq!(
        ng(InspectionFilter {
            process_id: Some(inspection_step),
            ..all()
        })
        .await,
        2
    );
    assert_eq!(
        ng(InspectionFilter {
            defect_type: Some(String::new()),
            ..all()
        })
        .await,
        5
    );
    assert_eq!(
        ng(InspectionFilter {
            defect_type: Some("F01".into()),
            ..all()
        })
        .await,
        2
    );
}

#[tokio::test]
async fn an_empty_period_is_zero_and_a_too_long_one_is_refused() {
    let p = inspected_plant().await;
    let r = p.store.quality(&query("2027-01-01", "2027-12-31")).await.unwrap();
    assert_eq!((r.parts, r.ng), (0, 0));
    assert!(r.by_item.is_empty() && r.by_station.is_empty() && r.pareto.is_empty());
    assert_eq!(r.p_chart.center, None);
    assert!(r.p_chart.points.is_empty());
    let err = p
        .store
        .quality(&query("2020-01-01", "2026-12-31"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Invalid {
                field: Field::Period,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn p_chart_marks_points_beyond_limits_and_runs_of_eight() {
    let d = |i: u32| NaiveDate::from_ymd_opt(2026, 1, i).unwrap();
    // Day 1: 1000 parts, no NG; days 2..=10: 100 parts, 10 NG each.
    let mut days = vec![(d(1), 1000, 0)];
    days.extend((2..=10).map(|i| (d(i), 100, 10)));
    let chart = p_chart(&days);
    let c = 90.0 / 1900.0;
    assert!(close(chart.center.unwrap(), c));
    // Day 1: p = 0 under LCL = c − 3·√(c(1−c)/1000) ≈ 0.027.
    assert!(chart.points[0].lcl > 0.02);
    assert_eq!(chart.points[0].signal, Some(Signal::BeyondLimits));
    // Days 2..: p = 0.1 inside UCL ≈ 0.111, above the centre: the 8th and
    // 9th in a row are a run.
    assert!(chart.points[1].ucl > 0.1);
    let signals: Vec<_> = chart.points[1..].iter().map(|x| x.signal).collect();
    assert_eq!(
        signals,
        [
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(Signal::Run),
            Some(Signal::Run)
        ]
    );
    // Days with no parts are left out; none at all is no chart.
    assert_eq!(p_chart(&[(d(1), 0, 0), (d(2), 10, 1)]).points.len(), 1);
    assert_eq!(p_chart(&[]).center, None);
}

/// (id, order date, export, status, final price, G&A, ship date, lines as (price, qty)).
type Sale = (
    i64,
    &'static str,
    bool,
    &'static str,
    Option<i64>,
    i64,
    Option<&'static str>,
    &'static [(i64, i64)],
);
/// (id, order date, sales order, status, supply as (price, qty)).
type Purchase = (i64, &'static str, Option<i64>, &'static str, (i64, i64));

/// Customer 1 and supplier 2, and the orders below (year 2026 unless said).
async fn orders(store: &Store) {
    let now = "2026-01-01T00:00:00.000Z";
    for (id, kind, name) in [(1, "customer", "대성모터스"), (2, "supplier", "동방철강")] {
        sqlx::query("INSERT INTO partners (id, kind, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(kind)
            .bind(name)
            .bind(now)
            .bind(now)
            .execute(&store.pool)
            .await
            .unwrap();
    }
    let sales: [Sale; 5] = [
        (
            1,
            "2026-01-10",
            false,
            "received",
            None,
            100,
            None,
            &[(1000, 2), (500, 1)],
        ),
        (
            2,
            "2026-01-20",
            true,
            "in_work",
            Some(9000),
            300,
            None,
            &[(10000, 1)],
        ),
        (3, "2026-03-05", false, "quotation", None, 50, None, &[(7777, 1)]),
        (
            4,
            "2026-03-15",
            false,
            "shipped",
            None,
            0,
            Some("2026-04-02"),
            &[(4000, 1)],
        ),
        (
            5,
            "2025-12-31",
            false,
            "shipped",
            None,
            70,
            Some("2026-01-05"),
            &[(1000, 1)],
        ),
    ];
    for (id, date, export, status, final_price, ga, ship, lines) in sales {
        sqlx::query(
            "INSERT INTO sales_orders (id, no, name, customer_id, order_date, due_date, export, ga_cost, final_price,
                                       status, ship_date, created_at, updated_at)
             VALUES (?, ?, 'order', 1, ?, '2026-12-31', ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(format!("SO-{id}"))
        .bind(date)
        .bind(export)
        .bind(ga)
        .bind(final_price)
        .bind(status)
        .bind(ship)
        .bind(now)
        .bind(now)
        .execute(&store.pool)
        .await
        .unwrap();
        for (seq, (price, qty)) in lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO sales_order_lines (id, order_id, seq, name, unit_price, qty) VALUES (?, ?, ?, 'part', ?, ?)",
            )
            .bind(id * 10 + seq as i64)
            .bind(id)
            .bind(seq as i64 + 1)
            .bind(price)
            .bind(qty)
            .execute(&store.pool)
            .await
            .unwrap();
        }
    }
    let purchases: [Purchase; 3] = [
        (1, "2026-01-25", Some(2), "received", (700, 3)),
        (2, "2026-03-01", None, "ordered", (500, 1)),
        (3, "2026-03-20", Some(4), "ordered", (1000, 1)),
    ];
    for (id, date, so, status, (price, qty)) in purchases {
        sqlx::query(
            "INSERT INTO purchase_orders (id, no, supplier_id, sales_order_id, order_date, due_date, status,
                                          received_on, created_at, updated_at)
             VALUES (?, ?, 2, ?, ?, '2026-12-31', ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(format!("PO-{id}"))
        .bind(so)
        .bind(date)
        .bind(status)
        .bind((status == "received").then_some("2026-02-01"))
        .bind(now)
        .bind(now)
        .execute(&store.pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO purchase_order_lines (po_id, seq, name, unit_price, qty) VALUES (?, 1, 'part', ?, ?)")
            .bind(id)
            .bind(price)
            .bind(qty)
            .execute(&store.pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn monthly_figures_add_up_by_month_and_year_to_date() {
    let (_dir, store) = crate::store::tests::temp_store().await;
    orders(&store).await;
    let year = store.monthly_figures(2026).await.unwrap();
    assert_eq!(year.len(), 12);
    let jan = &year[0];
    assert_eq!((jan.domestic_orders, jan.domestic_amount), (1, 2500));
    // The final price counts, not the estimate of 10 000.
    assert_eq!((jan.export_orders, jan.export_amount), (1, 9000));
    assert_eq!(jan.ga_cost, 400);
    assert_eq!(
        (
            jan.outsourcing_orders,
            jan.outsourcing_received,
            jan.outsourcing_cost
        ),
        (1, 1, 2100)
    );
    // Order 5 was taken in 2025 and shipped in January.
    assert_eq!((jan.shipments, jan.shipped_amount), (1, 1000));
    assert_eq!(
        (
            jan.cumulative_amount,
            jan.cumulative_ga_cost,
            jan.cumulative_outsourcing
        ),
        (11500, 400, 2100)
    );
    // February is empty and carries the sums on.
    let feb = &year[1];
    assert_eq!(
        (
            feb.domestic_orders + feb.export_orders,
            feb.ga_cost,
            feb.shipments
        ),
        (0, 0, 0)
    );
    assert_eq!(feb.cumulative_amount, 11500);
    // March: the quotation and the purchase order for no sales order are left out.
    let mar = &year[2];
    assert_eq!(
        (mar.domestic_orders, mar.domestic_amount, mar.ga_cost),
        (1, 4000, 0)
    );
    assert_eq!(
        (
            mar.outsourcing_orders,
            mar.outsourcing_received,
            mar.outsourcing_cost
        ),
        (1, 0, 1000)
    );
    assert_eq!((mar.cumulative_amount, mar.cumulative_outsourcing), (15500, 3100));
    assert_eq!((year[3].shipments, year[3].shipped_amount), (1, 4000));
    assert_eq!(year[11].cumulative_amount, 15500);
    assert_eq!(
        year.iter().map(|m| m.month).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );

    let empty = store.monthly_figures(2027).await.unwrap();
    assert!(
        empty
            .iter()
            .all(|m| m.cumulative_amount == 0 && m.shipments == 0 && m.outsourcing_orders == 0)
    );
    assert!(store.monthly_figures(1999).await.is_err());

    let summary = store.month_summary(day("2026-03-10")).await.unwrap();
    assert_eq!(
        (summary.first, summary.last),
        (day("2026-03-01"), day("2026-03-31"))
    );
    assert_eq!(
        (
            summary.received,
            summary.purchase_orders,
            summary.in_work,
            summary.completed
        ),
        (1, 2, 1, 0)
    );
}

#[tokio::test]
async fn order_progress_line_status_and_the_daily_report() {
    let p = inspected_plant().await;
    let store = &p.store;
    orders(store).await;
    let breakdown: i64 = sqlx::query_scalar("SELECT id FROM downtime_reasons WHERE code = 'D01'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    // The work order serves sales order 2; its first step ran 08:00–12:00
    // on 11-02 with a 30-minute breakdown and 90 good, 10 NG reported.
    sqlx::query("UPDATE work_orders SET sales_order_line_id = 20")
        .execute(&store.pool)
        .await
        .unwrap();
    let set = |sql: &'static str| sqlx::query(sql);
    set(
        "UPDATE operations SET status = 'finished', started_at = ?, finished_at = ?, operator_id = ?,
                good_qty = 90, ng_qty = 10, cycle_seconds = 60 WHERE id = ?",
    )
    .bind(stamp(local("2026-11-02", 8, 0)))
    .bind(stamp(local("2026-11-02", 12, 0)))
    .bind(p.admin.id)
    .bind(p.ops[0])
    .execute(&store.pool)
    .await
    .unwrap();
    set("INSERT INTO operation_reports (operation_id, at, operator_id, good, ng, scrap) VALUES (?, ?, ?, 90, 10, 0)")
        .bind(p.ops[0])
        .bind(stamp(local("2026-11-02", 11, 0)))
        .bind(p.admin.id)
        .execute(&store.pool)
        .await
        .unwrap();
    set("INSERT INTO downtimes (operation_id, reason_id, source, started_at, ended_at) VALUES (?, ?, 'operator', ?, ?)")
        .bind(p.ops[0])
        .bind(breakdown)
        .bind(stamp(local("2026-11-02", 9, 0)))
        .bind(stamp(local("2026-11-02", 9, 30)))
        .execute(&store.pool)
        .await
        .unwrap();
    // The inspection step runs at station A from 13:00.
    set("UPDATE operations SET status = 'running', started_at = ?, station_id = ? WHERE id = ?")
        .bind(stamp(local("2026-11-02", 13, 0)))
        .bind(p.a)
        .bind(p.ops[2])
        .execute(&store.pool)
        .await
        .unwrap();

    let progress = store.order_progress(2).await.unwrap();
    assert_eq!(progress.len(), 3);
    assert_eq!(
        progress
            .iter()
            .map(|x| (x.operations, x.finished, x.planned_qty, x.good_qty))
            .collect::<Vec<_>>(),
        [(1, 1, 100, 90), (1, 0, 100, 0), (1, 0, 100, 0)]
    );
    assert!(store.order_progress(1).await.unwrap().is_empty());

    let lines = store.line_status(day("2026-11-02")).await.unwrap();
    assert_eq!(lines.len(), 2);
    let a = lines.iter().find(|l| l.station_id == p.a).unwrap();
    assert_eq!(a.work_order_no.as_deref(), Some(p.work_order_no.as_str()));
    assert_eq!(a.operation_status, Some(OperationStatus::Running));
    assert_eq!((a.today.total, a.today.ok, a.today.ng), (8, 6, 2));
    let b = lines.iter().find(|l| l.station_id == p.b).unwrap();
    assert_eq!((b.work_order_no.as_deref(), b.today.total), (None, 0));

    let now = local("2026-11-02", 17, 0);
    let report = store.daily_report(day("2026-11-02"), &Local, now).await.unwrap();
    assert_eq!(report.rows.len(), 2);
    let first = &report.rows[0];
    assert_eq!((first.good, first.ng, first.planned_qty), (90, 10, 100));
    assert!(close(first.downtime_seconds, 1800.0));
    // Planned 4 h; run 3.5 h; ideal 100 × 60 s; quality 0.9.
    assert!(close(first.oee.planned_seconds, 14_400.0) && close(first.oee.run_seconds, 12_600.0));
    assert!(close(first.oee.ideal_seconds, 6_000.0));
    assert!(close(
        first.oee.oee().unwrap(),
        12_600.0 / 14_400.0 * 6_000.0 / 12_600.0 * 0.9
    ));
    // The inspection step, open until now, with what station A judged for it.
    let inspect = &report.rows[1];
    assert_eq!(inspect.station.as_deref(), Some("검사기 A"));
    assert_eq!((inspect.station_ok, inspect.station_ng), (6, 2));
    assert!(close(inspect.oee.planned_seconds, 4.0 * 3600.0));
    assert!(close(report.total.planned_seconds, 8.0 * 3600.0));
    assert_eq!(report.ng_images.len(), 2);
    assert!(
        report
            .ng_images
            .iter()
            .all(|i| i.verdict == Verdict::Ng && i.image_path.is_some())
    );
    // OEE names what stopped the line.
    let oee = store
        .oee(day("2026-11-02"), day("2026-11-02"), OeeGroup::Day, &Local, now)
        .await
        .unwrap();
    assert_eq!(
        oee.total.downtime,
        [DowntimeLoss {
            reason: Some("설비 고장".into()),
            category: Some(DowntimeCategory::Availability),
            seconds: 1800.0
        }]
    );
    // A day nothing ran.
    let quiet = store.daily_report(day("2026-10-01"), &Local, now).await.unwrap();
    assert!(quiet.rows.is_empty() && quiet.ng_images.is_empty());
}
