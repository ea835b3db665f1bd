//! The lead-time planning table: rows of "an order whose lead (due date −
//! order date) is at most `max_days` starts each process `day_offset` days
//! after the order date". Planning takes the first row whose max ≥ the lead.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::{
    Error, Field, Result, Rule, Store,
    audit::{self, Action, Entry},
    auth::User,
    validate,
};

/// One process's start, in days after the order date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProcessOffset {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub process_id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub day_offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LeadTimeRow {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub max_days: i64,
    pub offsets: Vec<ProcessOffset>,
}

/// The longest lead a row may name: ten years.
const MAX_LEAD_DAYS: i64 = 3650;

impl Store {
    /// The table, shortest lead first, each row's offsets in process order.
    pub async fn lead_times(&self) -> Result<Vec<LeadTimeRow>> {
        let mut conn = self.pool.acquire().await?;
        lead_times_in(&mut conn).await
    }

    /// Replaces the whole table in one transaction with one audit row.
    pub async fn save_lead_times(
        &self,
        rows: Vec<LeadTimeRow>,
        actor: &User,
        machine: &str,
    ) -> Result<Vec<LeadTimeRow>> {
        let mut tx = self.write().await?;
        let saved = save_lead_times_in(&mut tx, rows, actor, machine).await?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// [`Store::save_lead_times`] in `tx`'s transaction.
pub(crate) async fn save_lead_times_in(
    tx: &mut sqlx::SqliteConnection,
    rows: Vec<LeadTimeRow>,
    actor: &User,
    machine: &str,
) -> Result<Vec<LeadTimeRow>> {
    let mut seen = std::collections::BTreeSet::new();
    for row in &rows {
        validate::int_range(Field::MaxDays, row.max_days, 0, MAX_LEAD_DAYS)?;
        if !seen.insert(row.max_days) {
            return Err(Error::Invalid {
                field: Field::MaxDays,
                rule: Rule::Repeated,
            });
        }
        let mut processes = std::collections::BTreeSet::new();
        for o in &row.offsets {
            validate::int_range(Field::DayOffset, o.day_offset, 0, row.max_days)?;
            if !processes.insert(o.process_id) {
                return Err(Error::Invalid {
                    field: Field::DayOffset,
                    rule: Rule::Repeated,
                });
            }
        }
    }
    let now = Utc::now();
    let before = lead_times_in(tx).await?;
    sqlx::query("DELETE FROM lead_times").execute(&mut *tx).await?;
    for row in &rows {
        sqlx::query("INSERT INTO lead_times (max_days) VALUES (?)")
            .bind(row.max_days)
            .execute(&mut *tx)
            .await?;
        for o in &row.offsets {
            sqlx::query("INSERT INTO lead_time_offsets (max_days, process_id, day_offset) VALUES (?, ?, ?)")
                .bind(row.max_days)
                .bind(o.process_id)
                .bind(o.day_offset)
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::taken(e, Field::DayOffset))?;
        }
    }
    let after = lead_times_in(tx).await?;
    if after != before {
        let entry = Entry {
            user_id: Some(actor.id),
            username: Some(&actor.username),
            machine,
            action: Action::Update,
            entity: "lead_times",
            entity_id: None,
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&after).ok(),
        };
        audit::write(tx, now, entry).await?;
    }
    Ok(after)
}

impl Store {
    /// The offsets for an order with this lead: the first row whose max ≥ lead,
    /// or none when the lead is longer than every row (or negative).
    pub async fn plan_offsets(&self, lead_days: i64) -> Result<Option<Vec<ProcessOffset>>> {
        if lead_days < 0 {
            return Ok(None);
        }
        Ok(self
            .lead_times()
            .await?
            .into_iter()
            .find(|row| row.max_days >= lead_days)
            .map(|row| row.offsets))
    }
}

async fn lead_times_in(conn: &mut sqlx::SqliteConnection) -> Result<Vec<LeadTimeRow>> {
    let days: Vec<i64> = sqlx::query_scalar("SELECT max_days FROM lead_times ORDER BY max_days")
        .fetch_all(&mut *conn)
        .await?;
    let offsets: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT o.max_days, o.process_id, o.day_offset FROM lead_time_offsets o
         JOIN processes p ON p.id = o.process_id ORDER BY o.max_days, p.seq, p.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(days
        .into_iter()
        .map(|max_days| LeadTimeRow {
            max_days,
            offsets: offsets
                .iter()
                .filter(|(d, _, _)| *d == max_days)
                .map(|&(_, process_id, day_offset)| ProcessOffset {
                    process_id,
                    day_offset,
                })
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        master::{
            reference::Process,
            tests::{actor, page},
        },
        store::tests::temp_store,
    };

    #[tokio::test]
    async fn the_first_row_whose_max_covers_the_lead_plans_it() {
        let (_dir, store) = temp_store().await;
        let admin = actor(&store).await;
        let p = store.list::<Process>(&page()).await.unwrap().rows;
        let row = |max_days, offs: &[i64]| LeadTimeRow {
            max_days,
            offsets: p
                .iter()
                .zip(offs)
                .map(|(p, &d)| ProcessOffset {
                    process_id: p.id,
                    day_offset: d,
                })
                .collect(),
        };
        // Given out of order: stored shortest lead first.
        let saved = store
            .save_lead_times(
                vec![row(30, &[0, 5, 10, 20, 25]), row(10, &[0, 2, 4, 6, 8])],
                &admin,
                "pc",
            )
            .await
            .unwrap();
        assert_eq!(saved.iter().map(|r| r.max_days).collect::<Vec<_>>(), [10, 30]);
        let days =
            |o: Option<Vec<ProcessOffset>>| o.map(|o| o.iter().map(|o| o.day_offset).collect::<Vec<_>>());
        assert_eq!(
            days(store.plan_offsets(7).await.unwrap()),
            Some(vec![0, 2, 4, 6, 8])
        );
        assert_eq!(
            days(store.plan_offsets(10).await.unwrap()),
            Some(vec![0, 2, 4, 6, 8]),
            "max is inclusive"
        );
        assert_eq!(
            days(store.plan_offsets(11).await.unwrap()),
            Some(vec![0, 5, 10, 20, 25])
        );
        assert_eq!(store.plan_offsets(31).await.unwrap(), None);
        assert_eq!(store.plan_offsets(-1).await.unwrap(), None);

        // Bad tables are refused whole.
        let refused = [
            vec![row(10, &[0]), row(10, &[1])],
            vec![row(5, &[6])],
            vec![row(-1, &[])],
            vec![LeadTimeRow {
                max_days: 5,
                offsets: vec![ProcessOffset {
                    process_id: 999,
                    day_offset: 1,
                }],
            }],
        ];
        for bad in refused {
            assert!(store.save_lead_times(bad, &admin, "pc").await.is_err());
        }
        assert_eq!(store.lead_times().await.unwrap(), saved);
        let audit = store.audit_recent(5).await.unwrap();
        assert_eq!(audit.iter().filter(|r| r.entity == "lead_times").count(), 1);
    }
}
