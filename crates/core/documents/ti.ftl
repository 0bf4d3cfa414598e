## Perspectief: documents for the participant, in Tigrinya (Ge'ez script).
## Review: machine-drafted, awaiting review by a native speaker
##
## Addressed in the respectful plural (ንስኹም), which is also neutral between men and women.
## Gregorian months by their Tigrinya names as used in Eritrea. Every message here is fixed
## text; text written by staff is never translated. To correct a translation, change the text
## after "=" and keep the id before it. See docs/languages.md.

language-name = ትግርኛ

## Dates: pattern and Gregorian month names; Western digits, see docs/languages.md.
date-pattern = { $day } { $month } { $year }
month-1 = ጥሪ
month-2 = ለካቲት
month-3 = መጋቢት
month-4 = ሚያዝያ
month-5 = ግንቦት
month-6 = ሰነ
month-7 = ሓምለ
month-8 = ነሓሰ
month-9 = መስከረም
month-10 = ጥቅምቲ
month-11 = ሕዳር
month-12 = ታሕሳስ

plan-title = ናተይ ውጥን መጻኢ
plan-intro = እዚ ምስ ሰራሕተኛ ፕሮጀክትኹም ብሓባር ዝሰራሕኩሞ ውጥንኩም እዩ። ናብ እንታይ ትሰርሑ ከም ዘለኹም፡ እንታይ ከም ዝተሰማማዕኩምን መን እንታይ ከም ዝገብርን የርኢ።
plan-for = ስም
plan-printed = ዝተሓትመሉ ዕለት
plan-version = ሕታም ውጥን
plan-agreed = በዚ ውጥን ዝተሰማማዕኩምሉ ዕለት
plan-not-agreed = በዚ ሕታም ውጥን ገና ኣይተሰማማዕኩምን።
plan-none = ገና ውጥን የለን። ሰራሕተኛ ፕሮጀክትኹም ምሳኹም ብሓባር ከዳልዎ እዩ።
free-text-note = ሰራሕተኛታት ዝጸሓፍዎ ጽሑፋት ከምቲ ዝተጻሕፈ እዩ ዝቐርብ፡ መብዛሕትኡ ግዜ ብሆላንድኛ። ዘይተረድኣኩም እንተሎ ንሰራሕተኛ ፕሮጀክትኹም መብርሂ ሕተቱ።

heading-direction = ኣንፈተይ
heading-situation = ኩነታተይ
heading-perspective = ተስፋይን ናብኡ ዘብጽሑ ስጉምትታትን
heading-goals = ዕላማታተይ
heading-agreements = ስምምዓት
heading-upcoming = ዝመጽእ ዘሎ
heading-trajectory = መስርሕ ደገፈይ
heading-contact = ምስ መን ክራኸብ
heading-self-reliance = ርእሰ-ምኽኣለይ ኣብ ምሕላፍ ግዜ
heading-consent = ፍቓድ
heading-file = ፋይልኩም ምርኣይ
heading-complaint = ጥርዓን

direction-undecided = ገና ኣይተወሰነን
direction-legal = ኣብ ኔዘርላንድ (ሓድሽ) ሕጋዊ መስርሕ
direction-return = ናብ ዓደይ ምምላስ
direction-third-country = ናብ ካልእ ሃገር ምኻድ

label-goal = ዕላማ
label-deadline = ናይ መወዳእታ ዕለት
label-who = መን ይገብሮ
label-status = ኩነታት
label-next-steps = ቀጻሊ ስጉምትታት
label-agreement = ስምምዕ
label-due = ክሳብ
label-date = ዕለት
label-what = እንታይ
label-registered = መጀመርታ መስርሕ
label-end = መወዳእታ መስርሕ (እንተ ደንጎየ)
label-days-left = ዝተረፉ መዓልታት
label-project-worker = ሰራሕተኛ ፕሮጀክተይ
label-organisation = ትካል
label-phone = ተሌፎን
label-email = ኢመይል
label-address = ኣድራሻ
nothing-recorded = ገና ዝተመዝገበ የለን።

who-you = ባዕልኹም
who-project-worker = ሰራሕተኛ ፕሮጀክትኹም
who-partner = መሻርኽቲ ትካል

goal-open = ገና ኣይጀመረን
goal-in-progress = ኣብ መስርሕ ኣሎ
goal-achieved = ተዓዊቱ
goal-missed = ግዜኡ ሓሊፉ
goal-dropped = ተሪፉ
agreement-open = ገና ክፉት
upcoming-goal = ናይ ዕላማ መወዳእታ ዕለት
upcoming-agreement = ናይ ስምምዕ ግዜ

trajectory-text = ደገፍ ብዝለዓለ 18 ኣዋርሕ ይወስድ። ቅድሚ መወዳእታ ብዙሕ ግዜ ኣቐዲምኩም፡ ምስ ሰራሕተኛ ፕሮጀክትኹም ብሓባር ድሕሪኡ እንታይ ከም ዝመጽእ ትርእዩ።

zrm-intro = ንስኹምን ሰራሕተኛ ፕሮጀክትኹምን ኣብ ዝተፈላለየ ዓውድታት ህይወት ከመይ ትኽእሉዎ ከም ዘለኹም ብቐጻሊ ትርእዩ። ነጥቢ ካብ 1 (ህጹጽ ጸገማት) ክሳብ 5 (ምሉእ ርእሰ-ምኽኣል) እዩ። ነፍሲ ወከፍ ሰንጠረዥ ነጥብታትኩም ኣብ ምሕላፍ ግዜ የርኢ።
zrm-none = ገና ዝተመዝገበ ገምጋም የለን።
zrm-finances = ፋይናንስ
zrm-work-education = ስራሕን ትምህርትን
zrm-time-use = ኣጠቓቕማ ግዜ
zrm-housing = መንበሪ
zrm-domestic-relations = ስድራቤታዊ ርክባት
zrm-mental-health = ጥዕና ኣእምሮ
zrm-physical-health = ጥዕና ኣካል
zrm-addiction = ሱስ
zrm-basic-adl = ርእሰ-ክንክን
zrm-instrumental-adl = መዓልታዊ ህይወት ምምሕዳር
zrm-social-network = ማሕበራዊ ርክባት
zrm-social-participation = ኣብ ሕብረተሰብ ምስታፍ
zrm-justice = ፍትሒ

rights-consent = ሓበሬታ ብዛዕባኹም ምስ ካልእ ትካል እንካፈሎ ንስኹም እንተ ተሰማሚዕኩም ጥራይ እዩ፡ ከምኡ’ውን እቲ ትካል ዘድልዮ ጥራይ። ፍቓድኩም ኣብ ዝኾነ ግዜ ንሰራሕተኛ ፕሮጀክትኹም ብምሕባር ክትስሕቡዎ ትኽእሉ ኢኹም። ካብኡ ንንየው ብመሰረት እቲ ፍቓድ ዝኾነ ነገር ኣይክፈልን።
rights-file = ብዛዕባኹም ዝመዝገብናዮ ክትርእዩን ጌጋታት ከተእርሙን መሰል ኣለኩም። ንሰራሕተኛ ፕሮጀክትኹም ወይ ንሓላፊ ፕሮጀክት ሕተቱ። ኣብ ውሽጢ ሓደ ወርሒ መልሲ ክትረኽቡ ኢኹም።
rights-complaint = ብኣተሓሕዛኹም እንተ ዘይዓገብኩም፡ ንሰራሕተኛ ፕሮጀክትኹም ወይ ንሓላፊ ፕሮጀክት ንገሩ። እዚ እንተ ዘይሓጊዙ፡ ናይ ጥርዓን መስርሕ እቲ ትካል ክትጥቀሙ ትኽእሉ ኢኹም። ብዛዕባ ውልቃዊ ሓበሬታኹም ድማ ናብ ሆላንዳዊ ሰብ-መዚ ሓለዋ ሓበሬታ (Autoriteit Persoonsgegevens) ክትጠርዑ ትኽእሉ ኢኹም።

sheet-title = ሓበሬታ ንተሳተፍቲ
sheet-version-label = ሕታም ወረቐት
sheet-version = 2026.1
sheet-intro = እዚ ወረቐት እቲ ትካል እንታይ ከም ዝገብረልኩም፡ ካባና እንታይ ክትጽበዩ ከም እትኽእሉን ካባኹም እንታይ ከም እንጽበን ይገልጽ።
sheet-foundation-heading = እቲ ትካል እንታይ ይገብር
sheet-foundation-text = እቲ ትካል ፍቓድ መንበሪ ዘይብሎምን ኣብ ኣምስተርዳም ኣብ መዕቆቢ LVV ዝነብሩን ሰባት ይድግፍ። ምሳኹም ብሓባር ነባሪ ተስፋ ንደሊ፡ ርግኣት ዝህበኩም መጻኢ። ምሳኹም ንዘራረብ፡ ዕላማታት ዘለዎ ውጥን ነዳሉ፡ ናብ ክሕግዙኹም ዝኽእሉ ትካላት ንሰደኩም፡ ስምምዓት ድማ ንከታተል።
sheet-limit-heading = ብዝለዓለ 18 ኣዋርሕ
sheet-limit-text = ደገፍን መዕቆብን ካብ ዝተመዝገብኩምሉ ዕለት ጀሚሩ ብዝለዓለ 18 ኣዋርሕ ይቕጽል። ኣብዚ ግዜ እዚ ብሓባር ናብ ነባሪ ተስፋ ንሰርሕ። ቅድሚ መወዳእታ ብዙሕ ግዜ ኣቐዲምና ድሕሪኡ እንታይ ከም ዝመጽእ ምሳኹም ንዘራረብ።
sheet-directions-heading = ሰለስተ ኣንፈታት
sheet-directions-intro = ነባሪ ተስፋ ሓደ ካብዞም ሰለስተ ኣንፈታት ክኸውን ይኽእል፦
sheet-direction-legal = ኣብ ኔዘርላንድ (ሓድሽ) ሕጋዊ መስርሕ፡ ንኣብነት ሓድሽ ሕቶ ዑቕባ፡ ብሓገዝ ጠበቓ ወይ ሕጋዊ ትካል።
sheet-direction-return = ናብ ዓድኹም ምምላስ፡ ብድሌትኩምን ብምድላውን፡ ብሓገዝ ከም IOM ዝኣመሰሉ ትካላት።
sheet-direction-third = ናብ ክትነብሩሉ ዝፍቀደልኩም ካልእ ሃገር ምኻድ።
sheet-help-heading = ሓገዝን ናይ ባዕልኹም ሓላፍነትን
sheet-help-text = ብዛዕባ ዘለኩም ምርጫታትን ዘሎ ሓገዝን ምሉእን ቅኑዕን ሓበሬታ ንህበኩም፡ እቲ ዜና ከቢድ ክኸውን ከሎ’ውን። ውሳኔታት ናትኩም እዩ፡ ከምኡ’ውን ስጉምትታት ውጥንኩም ናይ ምውሳድ ሓላፍነት። ብዙሕ ነገራት ብባዕልኹም ክትገብሩ ደረጃ ብደረጃ ንሕግዘኩም።
