//! Business cards: a header row per participant (`business_cards`) and its entities
//! (`business_entities`), so "no card" and "a card with no entities" differ.

use diesel::prelude::*;

use crate::schema::{business_cards, business_entities};
use crate::{DbConnection, StoreError};

/// A business entity. The list-valued parts are JSON text serialised by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = business_entities)]
pub struct EntityRecord {
    pub names_json: String,
    pub country_code: String,
    pub geographical_information: Option<String>,
    pub identifiers_json: String,
    pub websites_json: String,
    pub contacts_json: String,
    pub additional_information: Option<String>,
    pub registration_date: Option<String>,
}

/// The participant's card: `None` when it has none, its entities in written order otherwise.
pub fn get(
    conn: &mut DbConnection,
    participant_id: i64,
) -> Result<Option<Vec<EntityRecord>>, StoreError> {
    let exists: Option<i64> = business_cards::table
        .find(participant_id)
        .select(business_cards::participant_id)
        .first(conn)
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    let entities = business_entities::table
        .filter(business_entities::participant_id.eq(participant_id))
        .order(business_entities::position)
        .select(EntityRecord::as_select())
        .load(conn)?;
    Ok(Some(entities))
}

/// Creates or replaces the participant's card (in a nested transaction). An unknown
/// participant fails with [`StoreError::is_foreign_key_violation`].
pub fn replace(
    conn: &mut DbConnection,
    participant_id: i64,
    entities: &[EntityRecord],
    now: i64,
) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        diesel::delete(business_cards::table.find(participant_id)).execute(conn)?;
        diesel::insert_into(business_cards::table)
            .values((
                business_cards::participant_id.eq(participant_id),
                business_cards::updated_at.eq(now),
            ))
            .execute(conn)?;
        for (position, e) in (0_i64..).zip(entities) {
            diesel::insert_into(business_entities::table)
                .values((
                    business_entities::participant_id.eq(participant_id),
                    business_entities::position.eq(position),
                    business_entities::names_json.eq(&e.names_json),
                    business_entities::country_code.eq(&e.country_code),
                    business_entities::geographical_information.eq(&e.geographical_information),
                    business_entities::identifiers_json.eq(&e.identifiers_json),
                    business_entities::websites_json.eq(&e.websites_json),
                    business_entities::contacts_json.eq(&e.contacts_json),
                    business_entities::additional_information.eq(&e.additional_information),
                    business_entities::registration_date.eq(&e.registration_date),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Deletes the card with its entities. Returns whether there was one.
pub fn delete(conn: &mut DbConnection, participant_id: i64) -> Result<bool, StoreError> {
    Ok(diesel::delete(business_cards::table.find(participant_id)).execute(conn)? > 0)
}
