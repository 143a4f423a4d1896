package dev.strata.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Statement names carry no values, stay the same for the same statement, and tell statements apart. */
class StatementNamesTest {

    @Test
    void literalsAndBindMarkersNeverReachTheNameOrTheText() {
        String sql = "select u.id from auth.users u where u.email = 'ada@example.com' and u.age > 42"
                + " and u.note = E'it''s \\n' and u.token = $1 /* secret-comment */ -- trailing secret";
        String text = StatementNames.normalize(sql);
        assertEquals("select u.id from auth.users u where u.email=? and u.age>? and u.note=? and u.token=?",
                text);
        String name = StatementNames.nameOf(sql);
        assertTrue(name.matches("select auth\\.users [0-9a-f]{8}"), name);
        for (String value : new String[] { "ada", "42", "it", "secret" }) {
            assertFalse(name.contains(value) || text.contains(value), value);
        }
    }

    @Test
    void theSameStatementWithOtherValuesHasTheSameName() {
        assertEquals(StatementNames.nameOf("SELECT * FROM rates.exchange_rates WHERE base = 'EUR' AND quote IN ($1, $2)"),
                StatementNames.nameOf("select *\n  from rates.exchange_rates where base='USD' and quote in ($1,$2,$3,$4)"));
        // identifiers with digits are not literals (Hibernate's aliases)
        assertEquals("select se1_0.id from auth.sessions se1_0 where se1_0.user_id=?",
                StatementNames.normalize("select se1_0.id from auth.sessions se1_0 where se1_0.user_id=$1"));
    }

    @Test
    void verbAndTableNameTheStatementAndTheHashSeparatesOthers() {
        assertTrue(StatementNames.nameOf("insert into kyc.outbox (id, payload) values ($1, $2)").startsWith("insert kyc.outbox "));
        assertTrue(StatementNames.nameOf("update settings.user_settings set v = $1 where id = $2")
                .startsWith("update settings.user_settings "));
        assertTrue(StatementNames.nameOf("delete from auth.sessions where id = $1").startsWith("delete auth.sessions "));
        assertTrue(StatementNames.nameOf("select pg_sleep(0.2)").startsWith("select pg_sleep "));
        assertNotEquals(StatementNames.nameOf("select a from t where x = $1"),
                StatementNames.nameOf("select b from t where x = $1"));
    }
}
