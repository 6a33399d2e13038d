CREATE VIEW happy_people AS
    SELECT id, name FROM people WHERE current_mood = 'happy';

ALTER TABLE people ENABLE ROW LEVEL SECURITY;
CREATE POLICY people_self ON people FOR SELECT USING (name = current_user);
