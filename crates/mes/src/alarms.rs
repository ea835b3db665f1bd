//! Station alarms that a person must acknowledge: the line stops after too
//! many NG parts in a row until someone has looked. Raising is the station's
//! own record (no audit row); acknowledging is a user action, audit-logged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Error, Result, Store,
    audit::{self, Action, Entry},
    auth::User,
    inspections::StationId,
};

pub type AlarmId = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum AlarmKind {
    /// Too many NG parts in a row: stop the line and look.
    StopLine,
    /// Flame in a station's view ([`crate::detectors`]).
    Fire,
    /// Smoke in a station's view.
    Smoke,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Alarm {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: AlarmId,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub station_id: StationId,
    pub raised_at: DateTime<Utc>,
    pub kind: AlarmKind,
    pub message: String,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// The columns of [`Alarm`], for `concat!` (sqlx takes only static SQL).
macro_rules! columns {
    () => {
        "id, station_id, raised_at, kind, message, acknowledged_by, acknowledged_at"
    };
}

impl Store {
    pub async fn raise_alarm(&self, station_id: StationId, kind: AlarmKind, message: &str) -> Result<Alarm> {
        let alarm = sqlx::query_as(concat!("INSERT INTO station_alarms (station_id, raised_at, kind, message) SELECT id, ?, ?, ? FROM stations WHERE id = ? RETURNING ", columns!()))
        .bind(Utc::now())
        .bind(kind)
        .bind(message)
        .bind(station_id)
        .fetch_optional(&self.pool)
        .await?;
        alarm.ok_or(Error::StationNotFound { id: station_id })
    }

    /// Alarms of a station nobody has acknowledged yet, oldest first.
    pub async fn open_alarms(&self, station_id: StationId) -> Result<Vec<Alarm>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM station_alarms WHERE station_id = ? AND acknowledged_at IS NULL ORDER BY raised_at, id"
        ))
        .bind(station_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Someone has looked: records who and when, once (a second
    /// acknowledgment changes nothing and writes nothing).
    pub async fn acknowledge_alarm(&self, id: AlarmId, actor: &User, machine: &str) -> Result<Alarm> {
        let now = Utc::now();
        let mut tx = self.write().await?;
        let before: Alarm = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM station_alarms WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::AlarmNotFound { id })?;
        if before.acknowledged_at.is_some() {
            return Ok(before);
        }
        let after: Alarm = sqlx::query_as(concat!(
            "UPDATE station_alarms SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? RETURNING ",
            columns!()
        ))
        .bind(actor.id)
        .bind(now)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        audit::write(
            &mut tx,
            now,
            Entry::change(
                actor,
                machine,
                Action::Update,
                "station_alarm",
                id,
                Some(&before),
                &after,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use crate::{auth::NewAdmin, inspections::NewStation, store::tests::temp_store};

    use super::*;

    #[tokio::test]
    async fn an_alarm_stays_open_until_acknowledged_and_the_acknowledgment_is_audited() {
        let (_dir, store) = temp_store().await;
        let admin = store
            .create_first_admin(
                NewAdmin {
                    username: "boss".into(),
                    display_name: "관리자".into(),
                    password: "s3cret-pass".into(),
                },
                "pc1",
            )
            .await
            .unwrap();
        let station = store
            .create_station(
                NewStation {
                    name: "line 1".into(),
                    config_json: "{}".into(),
                },
                &admin,
                "pc1",
            )
            .await
            .unwrap();
        let alarm = store
            .raise_alarm(station.id, AlarmKind::StopLine, "3 NG in a row")
            .await
            .unwrap();
        assert_eq!(
            store.open_alarms(station.id).await.unwrap(),
            std::slice::from_ref(&alarm)
        );
        assert!(matches!(
            store.raise_alarm(999, AlarmKind::StopLine, "x").await,
            Err(Error::StationNotFound { id: 999 })
        ));

        let acked = store
            .acknowledge_alarm(alarm.id, &admin, "terminal-2")
            .await
            .unwrap();
        assert_eq!(acked.acknowledged_by, Some(admin.id));
        assert!(acked.acknowledged_at.is_some());
        assert!(store.open_alarms(station.id).await.unwrap().is_empty());
        // Once only: a second acknowledgment keeps the first one and adds no audit row.
        let again = store
            .acknowledge_alarm(alarm.id, &admin, "terminal-3")
            .await
            .unwrap();
        assert_eq!(again, acked);
        let trail = store.audit_recent(50).await.unwrap();
        let acks: Vec<_> = trail.iter().filter(|r| r.entity == "station_alarm").collect();
        assert_eq!(acks.len(), 1);
        assert_eq!(acks[0].machine, "terminal-2");
        assert!(matches!(
            store.acknowledge_alarm(12345, &admin, "pc1").await,
            Err(Error::AlarmNotFound { id: 12345 })
        ));
    }
}
