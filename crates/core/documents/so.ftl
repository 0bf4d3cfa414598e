## Perspectief: documents for the participant, in Somali.
## Review: machine-drafted, awaiting review by a native speaker
##
## Every message here is fixed text; text written by staff is never translated. To correct a
## translation, change the text after "=" and keep the id before it. See docs/languages.md.

language-name = Soomaali

## Dates: pattern and Gregorian month names; Western digits.
date-pattern = { $day } { $month } { $year }
month-1 = Jannaayo
month-2 = Febraayo
month-3 = Maarso
month-4 = Abriil
month-5 = May
month-6 = Juun
month-7 = Luuliyo
month-8 = Ogost
month-9 = Sebtembar
month-10 = Oktoobar
month-11 = Nofembar
month-12 = Desembar

plan-title = Qorshahayga mustaqbalka
plan-intro = Kani waa qorshahaaga, oo aad la samaysay shaqaalahaaga mashruuca. Wuxuu muujinayaa waxa aad u shaqaynayso, waxa la isku afgartay iyo cidda waxa qabanaysa.
plan-for = Magaca
plan-printed = Taariikhda la daabacay
plan-version = Daabacaadda qorshaha
plan-agreed = Waxaad oggolaatay qorshahan taariikhda
plan-not-agreed = Weli ma aadan oggolaan daabacaaddan qorshaha.
plan-none = Weli qorshe ma jiro. Shaqaalahaaga mashruucu wuxuu kula samayn doonaa.
free-text-note = Qoraallada ay shaqaaluhu qoreen waxaa loo soo bandhigay sidii loo qoray, inta badan af Holandays. Weydii shaqaalahaaga mashruuca inuu kuu sharxo wixii aadan fahmin.

heading-direction = Jihadayda
heading-situation = Xaaladdayda
heading-perspective = Mustaqbalkayga iyo tallaabooyinka loo qaadayo
heading-goals = Yoolalkayga
heading-agreements = Heshiisyada
heading-upcoming = Waxa soo socda
heading-trajectory = Barnaamijkayga taageerada
heading-contact = Yaan la xiriiraa
heading-self-reliance = Isku-filnaantayda waqti ka dib
heading-consent = Oggolaansho
heading-file = Arkidda faylkaaga
heading-complaint = Cabashooyin

direction-undecided = Weli lama go'aamin
direction-legal = Habraac sharci ah (cusub) oo Nederland ah
direction-return = Ku noqoshada waddankayga hooyo
direction-third-country = U ambabixidda waddan kale

label-goal = Yool
label-deadline = Waqtiga kama dambaysta ah
label-who = Cidda samaynaysa
label-status = Xaaladda
label-next-steps = Tallaabooyinka xiga
label-agreement = Heshiis
label-due = Ugu dambayn
label-date = Taariikh
label-what = Maxay
label-registered = Bilowga barnaamijka
label-end = Dhammaadka barnaamijka (ugu dambayn)
label-days-left = Maalmaha haray
label-project-worker = Shaqaalahayga mashruuca
label-organisation = Hay'adda
label-phone = Taleefan
label-email = Iimayl
label-address = Cinwaan
nothing-recorded = Weli waxba lama diiwaangelin.

who-you = Adiga
who-project-worker = Shaqaalahaaga mashruuca
who-partner = Hay'ad la-shaqeeye ah

goal-open = Weli lama bilaabin
goal-in-progress = Waa socda
goal-achieved = Waa la gaaray
goal-missed = Waqtigii wuu dhaafay
goal-dropped = Waa laga tagay
agreement-open = Weli furan
upcoming-goal = Waqtiga yoolka
upcoming-agreement = Waqtiga heshiiska

trajectory-text = Taageeradu waxay socotaa ugu badnaan 18 bilood. Waqti badan ka hor dhammaadka, adiga iyo shaqaalahaaga mashruucu waxaad wada eegaysaan waxa xiga.

zrm-intro = Adiga iyo shaqaalahaaga mashruucu si joogto ah ayaad u eegtaan sida aad u maaraynayso qaybaha kala duwan ee nolosha. Dhibcuhu waxay ka bilaabmaan 1 (dhibaatooyin degdeg ah) ilaa 5 (si buuxda isku filan). Shax kastaa wuxuu muujinayaa dhibcahaaga waqti ka dib.
zrm-none = Weli qiimayn lama diiwaangelin.
zrm-finances = Dhaqaalaha
zrm-work-education = Shaqo iyo waxbarasho
zrm-time-use = Isticmaalka waqtiga
zrm-housing = Hoyga
zrm-domestic-relations = Xiriirka qoyska
zrm-mental-health = Caafimaadka maskaxda
zrm-physical-health = Caafimaadka jirka
zrm-addiction = Balwad
zrm-basic-adl = Daryeelka naftaada
zrm-instrumental-adl = Maaraynta nolol maalmeedka
zrm-social-network = Shabakadda bulshada
zrm-social-participation = Ka qaybgalka bulshada
zrm-justice = Cadaaladda

rights-consent = Macluumaadka adiga kugu saabsan waxaan la wadaagnaa hay'ad kale oo keliya haddii aad oggolaato, oo keliya waxa hay'addaasi u baahan tahay. Waxaad kala noqon kartaa oggolaanshahaaga waqti kasta adigoo u sheegaya shaqaalahaaga mashruuca. Laga bilaabo markaas, waxba lagama wadaagi doono oggolaanshahaas.
rights-file = Waxaad xaq u leedahay inaad aragto waxa aan kaa diiwaangelinay, iyo in khaladaadka la saxo. Weydii shaqaalahaaga mashruuca ama hoggaamiyaha mashruuca. Jawaab ayaad heli doontaa muddo hal bil gudaheed ah.
rights-complaint = Haddii aadan ku qanacsanayn sida laguula dhaqmo, u sheeg shaqaalahaaga mashruuca ama hoggaamiyaha mashruuca. Haddii taasi aysan caawin, waxaad isticmaali kartaa habka cabashada ee hay'adda. Xogtaada shakhsiga ah, waxaad sidoo kale cabasho u gudbin kartaa Hay'adda Ilaalinta Xogta ee Nederland (Autoriteit Persoonsgegevens).

sheet-title = Macluumaad loogu talagalay ka qaybgalayaasha
sheet-version-label = Daabacaadda warqadda
sheet-version = 2026.1
sheet-intro = Warqaddani waxay sharxaysaa waxa hay'addu kuu qabato, waxa aad naga filan karto iyo waxa aan kaa filanno.
sheet-foundation-heading = Waxa hay'addu qabato
sheet-foundation-text = Hay'addu waxay taageertaa dadka aan haysan sharciga deganaanshaha ee ku nool hoyga LVV ee Amsterdam. Adiga oo nala jira, waxaan raadinaynaa mustaqbal waara: mustaqbal ku siinaya xasillooni. Waan kula sheekaysanaa, waxaan samaynaa qorshe leh yoolal, waxaan kuu gudbinaa hay'ado ku caawin kara, waxaana la socnaa heshiisyada.
sheet-limit-heading = Ugu badnaan 18 bilood
sheet-limit-text = Taageerada iyo hoygu waxay socdaan ugu badnaan 18 bilood laga bilaabo markii lagu diiwaangeliyay. Muddadaas gudaheed waxaan si wadajir ah ugu shaqaynaynaa mustaqbal waara. Waqti badan ka hor dhammaadka, waxaan kula falanqaynaynaa waxa xiga.
sheet-directions-heading = Saddex jiho
sheet-directions-intro = Mustaqbal waara wuxuu yeelan karaa mid ka mid ah saddexdan jiho:
sheet-direction-legal = Habraac sharci ah (cusub) oo Nederland ah, tusaale ahaan codsi magangalyo oo cusub, iyadoo la kaashanayo qareen ama hay'ad sharci.
sheet-direction-return = Ku noqoshada waddankaaga hooyo, si ikhtiyaari ah oo diyaargarow leh, iyadoo ay caawinayaan hay'ado sida IOM.
sheet-direction-third = U ambabixidda waddan kale oo laguu oggol yahay inaad ku noolaato.
sheet-help-heading = Caawimaad iyo mas'uuliyaddaada
sheet-help-text = Waxaan kuu sheegaynaa si buuxda oo daacad ah fursadahaaga iyo caawimaadda la heli karo, xitaa marka wararku adag yihiin. Go'aannadu adiga ayay kuu taallaa, sidoo kale mas'uuliyadda qaadista tallaabooyinka qorshahaaga. Waxaan kaa caawinaynaa inaad si tartiib ah wax badan adigu samayso.
