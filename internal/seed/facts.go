package seed

import (
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
)

// The seed documents (the project's seeds/*.txt). Every fact below names the
// ones it comes from. Quotations keep the documents' words, with typographic
// apostrophes and dashes written in ASCII.
var (
	docFramework = doc{"Hand in Hand framework announcement (ZERO TO THREE)", "hand-in-hand-framework.txt"}
	docAMCHP     = doc{"MCH Innovations Database Practice Summary & Implementation Guidance: Hand In Hand (AMCHP Innovation Hub, date added June 2022)", "hand-in-hand-parenting-amchp.txt"}
	docNOW       = doc{"NOW Innovation Forum launch announcement (Vital Village Network)", "now-innovation-forum.txt"}
	docSafe      = doc{"The Safe Babies Approach (ZERO TO THREE)", "safe-babies-approach.txt"}
	docPolicy    = doc{"Strengthening Families with Infants and Toddlers: A Policy Framework for States, announcement (ZERO TO THREE)", "strengthening-families-policy-framework.txt"}
)

func from(docs ...doc) origin { return origin{Sources: docs} }

func fromNote(note string, docs ...doc) origin { return origin{Sources: docs, Note: note} }

// facts is everything Load declares.
var facts = dataset{
	Organizations: []orgSpec{
		{
			Slug: "zero-to-three", Name: "ZERO TO THREE",
			Description: "Leads and facilitates the Model Convening Project, which developed the Hand in Hand framework for community collaboration. " +
				"HealthySteps and Safe Babies are programs of ZERO TO THREE. ZERO TO THREE published Strengthening Families with Infants and Toddlers: " +
				"A Policy Framework for States, and has implemented the National Infant-Toddler Court Program based on the Safe Babies Court Team approach in states and communities.",
			origin: from(docFramework, docSafe, docPolicy),
		},
		{
			Slug: "family-connects-international", Name: "Family Connects International",
			Description: "The organization behind Family Connects, a population-based health program that provides nurse home visits to all parents of newborns " +
				"during the first month of life. One of the four national early childhood models of the Model Convening Project.",
			origin: from(docFramework),
		},
		{
			Slug: "hand-in-hand-parenting", Name: "Hand in Hand Parenting",
			Description: "Established about thirty years ago by Patty Wipfler, an educator and community organizer, in response to the damage parental stress can do. " +
				"Hand in Hand supports the emotional well-being of children and their caregivers through five caregiving and peer-support tools, and serves parents " +
				"and professionals through local and online classes, talks and workshops led by Certified Instructors, an online community group moderated with " +
				"real-time support, self-guided classes, support calls, a one-year Instructor Certification program, and professional development training. " +
				"It reports a global network of 185 Certified Instructors and materials translated into 14 languages.",
			Website: "https://www.handinhandparenting.org",
			Contacts: []contactSpec{{
				Slug: "maya-coleman", Name: "Maya Coleman", Title: "Director of Programs and Research",
				Email: "maya@handinhandparenting.org",
			}},
			origin: fromNote("The website is the site the seed prints (www.handinhandparenting.org/research and https://www.handinhandparenting.org/become-a-partner/...), "+
				"taken at its root; maya@handinhandparenting.org is the contact Maya Coleman's address, not the organization's. No year of incorporation is "+
				"recorded: the seed says only \"thirty years ago\".", docAMCHP),
		},
		{
			Slug: "boston-medical-center", Name: "Boston Medical Center",
			Description: "Home of Vital Village Network, in Boston, Massachusetts.",
			origin:      from(docNOW),
		},
		{
			Slug: "vital-village-network", Name: "Vital Village Network", Parent: "boston-medical-center",
			Description: "Vital Village Network at Boston Medical Center has sought to build local capacity through a trauma-informed lens to support systems " +
				"alignment and collaboration across community-based early childhood health and education efforts. Since 2010, Vital Village has fostered " +
				"partnerships between residents and organizations designed to improve the capacity of three Boston communities - Roxbury, Mattapan, and " +
				"Dorchester - to promote child wellbeing and prevent early life adversities. It launched the Networks of Opportunity for Child Wellbeing (NOW) " +
				"Learning Community and the NOW Innovation Forum.",
			origin: fromNote("Boston Medical Center is recorded as the parent organization from the seed's \"Vital Village Network at Boston Medical Center\".", docNOW),
		},
		{
			Slug: "amchp", Name: "AMCHP",
			Description: "Publisher of the Innovation Hub (\"Explore. Build. Share.\") and its MCH Innovations Database of practice summaries and implementation guidance.",
			origin:      fromNote("The seed names the organization only by its acronym, AMCHP; no longer name is recorded.", docAMCHP),
		},
		{
			Slug: "center-on-the-developing-child", Name: "Center on the Developing Child at Harvard University",
			Description: "Runs Frontiers of Innovation (FOI), which selected Hand in Hand as an FOI Portfolio Project in 2018; through FOI, Hand in Hand's research " +
				"team trained in a rapid-cycle iterative research methodology (the IDEAS Impact Framework).",
			origin: fromNote("Named as the seed names it; Harvard University is not recorded as a separate parent organization.", docAMCHP),
		},
		{
			Slug: "model-convening-project", Name: "Model Convening Project",
			Description: "A multi-year initiative and partnership of four complementary, evidence-based models - Family Connects International, HealthySteps, " +
				"Help Me Grow, and Nurse-Family Partnership - with leadership and facilitation from ZERO TO THREE and funding from the Pritzker Children's " +
				"Initiative. It developed the Hand in Hand framework.",
			origin: fromNote("A partnership rather than a legal body; recorded as an organization so that it can stand as the framework's publisher and "+
				"the recipient of the Pritzker Children's Initiative's funding. It is not part of ZERO TO THREE, which leads it, so it has no parent organization.", docFramework),
		},
		{
			Slug: "pritzker-childrens-initiative", Name: "Pritzker Children's Initiative",
			Description: "Funds the Model Convening Project, which developed the Hand in Hand framework.",
			origin:      from(docFramework),
		},
		{
			Slug: "ballmer-group", Name: "Ballmer Group",
			Description: "Ballmer Group is committed to improving economic mobility for children and families in the United States, funding leaders and " +
				"organizations that have demonstrated the ability to reshape opportunity and reduce systemic inequities. It supports ZERO TO THREE's work " +
				"to scale the Safe Babies approach.",
			origin: from(docPolicy),
		},
		{
			Slug: "hhs", Name: "U.S. Department of Health and Human Services", AlternateName: "HHS",
			Description: "Department of the U.S. Government of which the Health Resources and Services Administration (HRSA) is part.",
			origin:      from(docPolicy),
		},
		{
			Slug: "hrsa", Name: "Health Resources and Services Administration", AlternateName: "HRSA", Parent: "hhs",
			Description: "Part of the U.S. Department of Health and Human Services (HHS). Supported Strengthening Families with Infants and Toddlers: " +
				"A Policy Framework for States as part of an award totaling $19,581,161.",
			origin: from(docPolicy),
		},
	},

	Programs: []programSpec{
		{
			Slug: "nurse-family-partnership", Name: "Nurse-Family Partnership", AlternateName: "NFP",
			Description: "Nurse-Family Partnership (NFP) provides nurse home visits to first-time moms and children living in poverty or with other risk factors. " +
				"Services are provided prenatally to the child's second birthday.",
			Approach:            program.ApproachHOME_VISITING,
			Settings:            []directory.Setting{directory.SettingHome},
			Audiences:           []directory.Audience{directory.AudienceParents},
			ServesThroughMonths: ptr(24),
			Eligibility: &directory.Eligibility{
				StatedRules:          []directory.Rule{directory.RulePregnancy, directory.RulePregnantOnly, directory.RuleFirstTimeParentOnly},
				AcceptsPregnant:      ptr(true),
				PregnantOnly:         ptr(true),
				FirstTimeParentsOnly: ptr(true),
				PriorityPopulations:  []string{"Families living in poverty or with other risk factors"},
				Description: "Nurse home visits to first-time moms and children living in poverty or with other risk factors. " +
					"Services are provided prenatally to the child's second birthday.",
			},
			origin: fromNote("No organization is named for NFP in the seeds, so none is linked. \"Services are provided prenatally\" is read as enrolment "+
				"during pregnancy (pregnantOnly); \"to the child's second birthday\" as servesThroughMonths 24; \"first-time moms\" as firstTimeParentsOnly. "+
				"\"Living in poverty or with other risk factors\" is a priority, not an income limit: the seed gives no income limit and no latest week of pregnancy, "+
				"so those rules are not stated (statedRules).", docFramework),
		},
		{
			Slug: "family-connects", Name: "Family Connects", Organization: "family-connects-international",
			Description: "Family Connects, a program of Family Connects International, is a population-based health program that enhances the local network " +
				"of care by providing nurse home visits to all parents of newborns during the first month of life. During the visit, the nurse provides " +
				"information, conducts health assessments, and connects parents to the community resources they need.",
			Approach:            program.ApproachHOME_VISITING,
			Settings:            []directory.Setting{directory.SettingHome},
			Audiences:           []directory.Audience{directory.AudienceParents},
			ServesThroughMonths: ptr(1),
			Eligibility: &directory.Eligibility{
				StatedRules: []directory.Rule{directory.RuleAge, directory.RuleFirstTimeParentOnly, directory.RuleIncome,
					directory.RuleCourtInvolvement},
				MinAgeMonths: ptr(0),
				MaxAgeMonths: ptr(0),
				Description:  "Nurse home visits to all parents of newborns during the first month of life.",
			},
			origin: fromNote("\"During the first month of life\" is read as a child of 0 completed months (minAgeMonths 0, maxAgeMonths 0) and as "+
				"servesThroughMonths 1 (visits end when the first month ends). \"All parents of newborns\": no other criterion, so no first-time, "+
				"income or court rule (stated as none); whether it enrols during pregnancy is not said.", docFramework),
		},
		{
			Slug: "healthysteps", Name: "HealthySteps", Organization: "zero-to-three",
			Description: "HealthySteps, a program of ZERO TO THREE, integrates a child development expert into the pediatric primary care team to promote " +
				"nurturing parenting and healthy development for babies and toddlers, particularly in areas where there have been persistent inequities " +
				"for families with low incomes and families of color.",
			Approach: program.ApproachPEDIATRIC_PRIMARY_CARE,
			Settings: []directory.Setting{directory.SettingClinic},
			Eligibility: &directory.Eligibility{
				StatedRules:         []directory.Rule{}, // the seed states no rule, not even ages
				PriorityPopulations: []string{"Families with low incomes and families of color, in areas where there have been persistent inequities"},
				Description: "Babies and toddlers and their families, in pediatric primary care; particularly in areas where there have been persistent " +
					"inequities for families with low incomes and families of color.",
			},
			origin: fromNote("The seed gives no age range in months for \"babies and toddlers\", so the month bounds are left empty and no rule is "+
				"stated (statedRules empty): matching asks about ages. \"Particularly in areas where...\" is a priority, not a restriction.", docFramework),
		},
		{
			Slug: "help-me-grow", Name: "Help Me Grow",
			Description: "Help Me Grow supports communities in strengthening their early childhood systems through centralized access points, family and " +
				"community outreach, child health care provider outreach, and data collection and analysis.",
			Approach:    program.ApproachCENTRALIZED_ACCESS_POINT,
			Eligibility: &directory.Eligibility{StatedRules: []directory.Rule{}},
			origin: fromNote("The seed names the model, not an organization behind it, so none is linked. It gives no settings, audiences or "+
				"eligibility for the model: an eligibility stating no rule (statedRules empty).", docFramework),
		},
		{
			Slug: "safe-babies", Name: "Safe Babies", Organization: "zero-to-three",
			Description: "Through an innovative, team-based approach, Safe Babies, a program of ZERO TO THREE, applies the science of early childhood " +
				"development to meet the urgent needs of babies and toddlers under court jurisdiction, ultimately transforming child welfare into the " +
				"practice of strengthening child and family well-being. Its five areas of focus: enhanced oversight and collaborative problem-solving; " +
				"expedited, appropriate, and effective services; trauma-responsive support; continuous quality improvement; and interdisciplinary, " +
				"collaborative, and proactive teamwork.",
			Approach: program.ApproachCOURT_TEAM,
			Settings: []directory.Setting{directory.SettingCourt},
			Eligibility: &directory.Eligibility{
				StatedRules:              []directory.Rule{directory.RuleCourtInvolvement},
				CourtInvolvementRequired: ptr(true),
				Description:              "Babies and toddlers under court jurisdiction, and their families.",
			},
			origin: fromNote("The seed gives no age range in months for \"babies and toddlers\", so the month bounds are left empty and the age "+
				"rule is not stated (statedRules: court involvement only).", docSafe, docPolicy),
		},
		{
			Slug: "hand-in-hand-parenting", Name: "Hand in Hand Parenting", Organization: "hand-in-hand-parenting",
			Description: "We provide 5 tools and a trauma-responsive approach to support the emotional wellbeing of parents, early care and education " +
				"professionals, and children. Hand in Hand's Instructor-led programs combine weekly group classes for peer support and mentoring from a " +
				"Certified Instructor, an accessible online course format, instruction in a peer-support tool (Listening Partnerships), and instruction in " +
				"four adult-child tools (Playlistening, Setting Limits, Special Time, and Staylistening).",
			Approach:    program.ApproachPARENTING_EDUCATION_PEER_SUPPORT,
			Settings:    []directory.Setting{directory.SettingHome, directory.SettingChildCare, directory.SettingClinic, directory.SettingOnline},
			Audiences:   []directory.Audience{directory.AudienceParents, directory.AudienceProfessionals},
			Eligibility: &directory.Eligibility{StatedRules: []directory.Rule{}}, // the seed states no rule
			Evidence: []directory.Evidence{
				{
					// The source gives the date the practice was added, not a
					// review date.
					Source: directory.EvidenceAMCHP,
					Note: "MCH Innovations Database practice summary (topic area Family/Youth Engagement; population focus Child Health), date added June 2022. " +
						"It reports community-defined evidence and a feasibility study of the 6-week online Foundations Course for Early Childhood Educators, " +
						"conducted under the mentorship of Frontiers of Innovation (Center on the Developing Child at Harvard University), with an early pilot " +
						"study of a revised 8-week course planned for Fall 2022.",
				},
				{
					Source: directory.EvidenceCommunityDefined,
					Note: "Certified Instructors co-create the programs, services and training curricula with their communities, the parents they work with " +
						"and their professional settings; Hand in Hand has compiled over 5,000 written anecdotes from people documenting their use of the tools " +
						"(not yet formally evaluated).",
				},
			},
			origin: fromNote("Settings from the summary's \"Home-based, Day care/Preschool, Clinical\" (HOME, CHILD_CARE, CLINIC) plus its online classes (ONLINE). "+
				"The AMCHP review date is the summary's \"Date Added: June 2022\", recorded as 2022-06-01. No rating is recorded: the summary gives none.", docAMCHP),
		},
		{
			Slug: "now-learning-community", Name: "Networks of Opportunity for Child Wellbeing (NOW) Learning Community",
			AlternateName: "NOW Learning Community", Organization: "vital-village-network",
			Description: "Launched by Vital Village Network to foster communities of practice: shared learning among residents and community-based " +
				"organizations across the country working to align early childhood, health, and education systems. Its online hub is the NOW Innovation Forum.",
			Approach:    program.ApproachCOMMUNITY_COALITION,
			Audiences:   []directory.Audience{directory.AudienceCommunities},
			Eligibility: &directory.Eligibility{StatedRules: []directory.Rule{}}, // the seed states no rule
			origin:      from(docNOW),
		},
	},

	Terms: []termSpec{
		{Code: "home-visiting", Name: "Home visiting",
			Description: "Visits at home by a nurse or trained home visitor to support a family during pregnancy and a child's early years."},
		{Code: "nurse-home-visiting", Name: "Nurse home visiting", Parent: "home-visiting",
			Description: "Ongoing home visits by a nurse through pregnancy and early childhood, such as Nurse-Family Partnership."},
		{Code: "newborn-home-visit", Name: "Newborn home visit", Parent: "home-visiting",
			Description: "A nurse's visit at home in the first weeks of a baby's life, such as Family Connects."},
		{Code: "developmental-screening", Name: "Developmental screening",
			Description: "Checking how a young child is developing and connecting the family to help when a concern is found."},
		{Code: "parenting-support", Name: "Parenting support",
			Description: "Help for parents and caregivers with the everyday work and stress of raising a young child."},
		{Code: "parenting-peer-support", Name: "Parenting peer support", Parent: "parenting-support",
			Description: "Groups and exchanges where parents and caregivers support one another."},
		{Code: "parenting-classes", Name: "Parenting classes", Parent: "parenting-support",
			Description: "Classes and courses, in person or online, that teach parenting approaches and tools."},
		{Code: "maternal-health", Name: "Maternal health",
			Description: "Health care and support for a parent during pregnancy and after birth."},
		{Code: "prenatal-support", Name: "Prenatal support", Parent: "maternal-health",
			Description: "Care, education and support during pregnancy."},
		{Code: "postpartum-support", Name: "Postpartum support", Parent: "maternal-health",
			Description: "Care and support for a parent in the months after giving birth."},
		{Code: "infant-early-childhood-mental-health", Name: "Infant and early childhood mental health",
			Description: "Support for the emotional wellbeing of babies, young children and their caregivers, including trauma-responsive care."},
		{Code: "child-welfare-court-support", Name: "Child welfare and court support",
			Description: "Support for families with babies and toddlers involved with child welfare or under court jurisdiction."},
		{Code: "care-coordination-referral", Name: "Care coordination and referral",
			Description: "Finding the services a family needs and connecting the family to them, for example through a centralized access point."},
		{Code: "early-care-education", Name: "Early care and education",
			Description: "Child care, preschool and other early learning for young children."},
		{Code: "basic-needs", Name: "Basic needs",
			Description: "Food, housing, diapers, income and the other essentials a family needs."},
	},

	Resources: []resourceSpec{
		{
			Slug: "hand-in-hand-framework", Title: "Hand in Hand: a framework for community collaboration (guide)", Kind: resource.KindFRAMEWORK,
			Publisher: "model-convening-project",
			Summary: "A practical guide to Hand in Hand, a silo-busting, trust-building framework for community collaboration to support positive, " +
				"equitable outcomes for all young children and their families. It is organized around three interacting elements of early childhood " +
				"collaboration, all of which are always in play: Foundation (the values, processes, leadership, and resources that nurture collaboration " +
				"in a community over time), Relationships (the social fabric that engages and sustains people in their shared efforts) and Actions (the " +
				"tangible steps people take together to support young children and families). Informed by interviews and focus groups with communities " +
				"across the country, it is designed for every organization and person who supports families with young children.",
			Audiences: []directory.Audience{directory.AudienceProfessionals, directory.AudienceCommunities},
			Topics:    []string{"home-visiting", "care-coordination-referral"},
			Programs:  []string{"family-connects", "healthysteps", "help-me-grow", "nurse-family-partnership"},
			origin: fromNote("Title composed from the seed's description (\"a guide to the framework\"; \"a ... framework for community collaboration\"). "+
				"Publisher: the Model Convening Project, which developed the framework, with leadership from ZERO TO THREE. No URL or date: the seed gives none.", docFramework),
		},
		{
			Slug: "hand-in-hand-story-bank", Title: "Hand in Hand story bank", Kind: resource.KindSTORY_BANK,
			Publisher: "model-convening-project",
			Summary:   "A story bank with detailed accounts on implementation of the Hand in Hand framework.",
			Programs:  []string{"family-connects", "healthysteps", "help-me-grow", "nurse-family-partnership"},
			origin:    from(docFramework),
		},
		{
			Slug: "hand-in-hand-brief-alignment", Title: "Hand in Hand brief: alignment of early childhood services", Kind: resource.KindBRIEF,
			Publisher: "model-convening-project",
			Summary:   "A Hand in Hand brief exploring the alignment of early childhood services.",
			Topics:    []string{"care-coordination-referral"},
			Programs:  []string{"family-connects", "healthysteps", "help-me-grow", "nurse-family-partnership"},
			origin:    fromNote("The seed lists \"briefs exploring the alignment of early childhood services, policy and advocacy, and racial equity\"; read as one brief per subject.", docFramework),
		},
		{
			Slug: "hand-in-hand-brief-policy-advocacy", Title: "Hand in Hand brief: policy and advocacy", Kind: resource.KindBRIEF,
			Publisher: "model-convening-project",
			Summary:   "A Hand in Hand brief exploring policy and advocacy.",
			Programs:  []string{"family-connects", "healthysteps", "help-me-grow", "nurse-family-partnership"},
			origin:    fromNote("The seed lists \"briefs exploring the alignment of early childhood services, policy and advocacy, and racial equity\"; read as one brief per subject.", docFramework),
		},
		{
			Slug: "hand-in-hand-brief-racial-equity", Title: "Hand in Hand brief: racial equity", Kind: resource.KindBRIEF,
			Publisher: "model-convening-project",
			Summary:   "A Hand in Hand brief exploring racial equity.",
			Programs:  []string{"family-connects", "healthysteps", "help-me-grow", "nurse-family-partnership"},
			origin:    fromNote("The seed lists \"briefs exploring the alignment of early childhood services, policy and advocacy, and racial equity\"; read as one brief per subject.", docFramework),
		},
		{
			Slug: "hand-in-hand-directory", Title: "Hand in Hand directory of publications and resources", Kind: resource.KindDIRECTORY,
			Publisher: "model-convening-project",
			Summary:   "A directory of publications and resources accompanying the Hand in Hand framework.",
			Programs:  []string{"family-connects", "healthysteps", "help-me-grow", "nurse-family-partnership"},
			origin:    from(docFramework),
		},
		{
			Slug: "strengthening-families-policy-framework", Title: "Strengthening Families with Infants and Toddlers: A Policy Framework for States",
			Kind: resource.KindPOLICY_REPORT, Publisher: "zero-to-three",
			Summary: "A report from ZERO TO THREE designed to reframe the role of child welfare from preventing harm to children toward strengthening " +
				"families and the communities where they live. It includes 11 recommendations for states and communities that aim to advance outcomes " +
				"supporting the health and well-being of very young children and their families, including those who are in or are at risk of entering " +
				"the child welfare system, and gives state and local policymakers a roadmap. It includes promising examples from states and communities " +
				"where ZERO TO THREE has implemented the National Infant-Toddler Court Program based on the Safe Babies Court Team approach.",
			Audiences: []directory.Audience{directory.AudiencePolicymakers},
			Topics:    []string{"child-welfare-court-support"},
			Programs:  []string{"safe-babies"},
			origin:    from(docPolicy),
		},
		{
			Slug: "strengthening-families-appendix", Title: "Appendix of State and Local Examples (Strengthening Families with Infants and Toddlers)",
			Kind: resource.KindDIRECTORY, Publisher: "zero-to-three",
			Summary: "The policy framework's appendix, which provides resources and contact information for each of the state and community examples " +
				"included in its recommendations.",
			Audiences: []directory.Audience{directory.AudiencePolicymakers},
			Topics:    []string{"child-welfare-court-support"},
			Programs:  []string{"safe-babies"},
			origin:    fromNote("Kind DIRECTORY: the appendix lists resources and contact information.", docPolicy),
		},
		{
			Slug: "safe-babies-approach", Title: "The Safe Babies Approach", Kind: resource.KindGUIDE, Publisher: "zero-to-three",
			Summary: "Keeping families together by igniting collective action across states and local communities to meet the urgent needs of babies " +
				"and toddlers. Describes the five areas of focus of Safe Babies, its team-based, multilevel approach (child and family level; state and " +
				"site level), the Safe Babies teams (Active Community Team, Family Team, Site Implementation Team, State Advisory Group, State Team) and " +
				"the long-term sustainable impact it aims for.",
			Topics:   []string{"child-welfare-court-support"},
			Programs: []string{"safe-babies"},
			origin:   from(docSafe),
		},
		{
			Slug: "now-innovation-forum", Title: "Networks of Opportunity for Child Wellbeing (NOW) Innovation Forum", Kind: resource.KindLIBRARY,
			Publisher: "vital-village-network",
			Summary: "An online hub that aims to support the work of community coalitions, leaders, and initiatives seeking to better align early " +
				"childhood, health, and education systems by eliminating systemic barriers and bringing community-driven solutions to the forefront. " +
				"It brings together resources, stories, discussions, innovations, and other interactive tools to promote shared learning and networking.",
			Audiences: []directory.Audience{directory.AudienceCommunities},
			Programs:  []string{"now-learning-community"},
			origin:    from(docNOW),
		},
		{
			Slug: "now-resource-library", Title: "NOW Innovation Forum Resource Library", Kind: resource.KindLIBRARY,
			Publisher: "vital-village-network",
			Summary:   "The NOW Innovation Forum's interactive Resource Library, which includes hundreds of tools to support community work; users can search or submit tools.",
			Audiences: []directory.Audience{directory.AudienceCommunities},
			Programs:  []string{"now-learning-community"},
			origin:    from(docNOW),
		},
		{
			Slug: "now-launch-webinar", Title: "NOW Innovation Forum launch webinar", Kind: resource.KindWEBINAR,
			Publisher: "vital-village-network",
			Summary:   "An October 17 launch webinar giving an interactive virtual tour of the NOW Innovation Forum and its key features and tools.",
			Programs:  []string{"now-learning-community"},
			origin:    fromNote("The seed gives the day (October 17) but not the year, so no date is recorded.", docNOW),
		},
		{
			Slug: "community-based-action-labs", Title: "Community-Based Action Labs as an equity and consensus building tool", Kind: resource.KindARTICLE,
			Publisher: "vital-village-network",
			Summary:   "A NOW blog post about Community-Based Action Labs as an equity and consensus building tool.",
			Programs:  []string{"now-learning-community"},
			origin:    fromNote("Title taken from the seed's description of the blog post; the post's own title is not given.", docNOW),
		},
		{
			Slug: "hand-in-hand-5-listening-tools", Title: "5 Listening Tools with Descriptions", Kind: resource.KindTOOL,
			Publisher: "hand-in-hand-parenting",
			Summary: "Hand in Hand's five caregiving and peer-support tools: Listening Partnerships (a timed exchange of emotional connection and " +
				"support between adults), Playlistening, Setting Limits, Special Time and Staylistening.",
			Audiences: []directory.Audience{directory.AudienceParents, directory.AudienceProfessionals},
			Topics:    []string{"parenting-support"},
			Programs:  []string{"hand-in-hand-parenting"},
			origin:    fromNote("Listed under the summary's Resources Provided; the link there has no address, so no URL is recorded.", docAMCHP),
		},
		{
			Slug: "hand-in-hand-feasibility-study-impact-report", Title: "Feasibility Study Impact Report", Kind: resource.KindREPORT,
			Publisher: "hand-in-hand-parenting",
			Summary: "Findings of Hand in Hand's feasibility study of the 6-week online Foundations Course for Early Childhood Educators: educators " +
				"reported growth using the tools with children in just six weeks and relief after learning a new theory of emotional functioning; " +
				"the online class and mentoring call helped them feel supported and less isolated.",
			Audiences: []directory.Audience{directory.AudienceProfessionals},
			Topics:    []string{"parenting-support"},
			Programs:  []string{"hand-in-hand-parenting"},
			origin:    fromNote("Listed under the summary's Resources Provided; the link there has no address, so no URL is recorded.", docAMCHP),
		},
		{
			Slug: "hand-in-hand-trauma-informed-caregiving", Title: "Hand in Hand Parenting as a Trauma-Informed Caregiving Practice", Kind: resource.KindARTICLE,
			Publisher: "hand-in-hand-parenting",
			Summary:   "How the Hand in Hand approach works as a trauma-informed caregiving practice.",
			Topics:    []string{"parenting-support", "infant-early-childhood-mental-health"},
			Programs:  []string{"hand-in-hand-parenting"},
			origin:    fromNote("Listed under the summary's Resources Provided; the link there has no address, so no URL is recorded.", docAMCHP),
		},
		{
			Slug: "hand-in-hand-research", Title: "Hand in Hand Parenting research", Kind: resource.KindLIBRARY,
			URL: "https://www.handinhandparenting.org/research", Publisher: "hand-in-hand-parenting",
			Summary:  "Hand in Hand Parenting's research pages, with more information about its programs, timelines, practice activities and practice costs.",
			Programs: []string{"hand-in-hand-parenting"},
			origin:   fromNote("The summary prints www.handinhandparenting.org/research (its Appendix); recorded with https. Kind LIBRARY is a reading of \"explore our website\".", docAMCHP),
		},
		{
			Slug: "hand-in-hand-past-partners", Title: "Hand in Hand Parenting past partners", Kind: resource.KindDIRECTORY,
			URL: "https://www.handinhandparenting.org/become-a-partner/partner-list/past-partners/", Publisher: "hand-in-hand-parenting",
			Summary:  "A list of Hand in Hand Parenting's implementation sites and funders.",
			Programs: []string{"hand-in-hand-parenting"},
			origin:   from(docAMCHP),
		},
		{
			Slug:  "amchp-hand-in-hand-practice-summary",
			Title: "MCH Innovations Database Practice Summary & Implementation Guidance: Hand In Hand", Kind: resource.KindARTICLE,
			Publisher: "amchp", PublishedOn: date("2022-06-01"), Places: []string{"Global"},
			Summary: "AMCHP's practice summary and implementation guidance for Hand in Hand (topic area Family/Youth Engagement; settings home-based, " +
				"day care/preschool and clinical; population focus Child Health): practice description, core components, health equity, evidence of " +
				"effectiveness, collaborators and partners, replication, capacity, timeline, cost, lessons learned and next steps.",
			Topics:   []string{"parenting-support"},
			Programs: []string{"hand-in-hand-parenting"},
			origin: fromNote("publishedOn is the summary's \"Date Added: June 2022\", recorded as 2022-06-01; places is its \"Location: Global\". "+
				"No URL: the seed gives none.", docAMCHP),
		},
		{
			Slug: "mch-innovations-database", Title: "MCH Innovations Database", Kind: resource.KindLIBRARY, Publisher: "amchp",
			Summary: "AMCHP's Innovation Hub database (\"Explore. Build. Share.\") of practice summaries and implementation guidance.",
			origin:  fromNote("Named in the header of the Hand In Hand practice summary; no URL is given.", docAMCHP),
		},
	},

	Services: []serviceSpec{
		{
			Slug: "hand-in-hand-online-classes", Name: "Hand in Hand Parenting online classes",
			Organization: "hand-in-hand-parenting", Program: "hand-in-hand-parenting",
			Description: "Online courses of 3-8 weeks for parents and professionals, led by a Certified Instructor: asynchronous learning (short videos, " +
				"booklets and articles) with weekly mentoring groups of 4-6 participants that meet for 60-90 minutes for real-time support, feedback and " +
				"peer support, and instruction in the Listening Partnerships peer-support tool and four adult-child tools.",
			DeliveryModes: []directory.DeliveryMode{directory.Online, directory.InGroup},
			Needs:         []string{"parenting-classes", "parenting-peer-support"},
			Areas:         []areaSpec{{Kind: servicearea.KindONLINE, Name: "Online"}},
			origin:        from(docAMCHP),
		},
		{
			Slug: "hand-in-hand-self-guided-classes", Name: "Hand in Hand Parenting self-guided classes",
			Organization: "hand-in-hand-parenting", Program: "hand-in-hand-parenting",
			Description:   "Self-guided classes in the Hand in Hand approach and its tools, for parents and professionals.",
			DeliveryModes: []directory.DeliveryMode{directory.Online},
			Needs:         []string{"parenting-classes"},
			Areas:         []areaSpec{{Kind: servicearea.KindONLINE, Name: "Online"}},
			origin:        fromNote("The seed lists \"self-guided classes\"; read as online, like Hand in Hand's internet-based course format.", docAMCHP),
		},
		{
			Slug: "hand-in-hand-online-community-group", Name: "Hand in Hand Parenting online community group",
			Organization: "hand-in-hand-parenting", Program: "hand-in-hand-parenting",
			Description:   "An online community group moderated with real-time support, for parents and professionals.",
			DeliveryModes: []directory.DeliveryMode{directory.Online, directory.InGroup},
			Needs:         []string{"parenting-peer-support"},
			Areas:         []areaSpec{{Kind: servicearea.KindONLINE, Name: "Online"}},
			origin:        from(docAMCHP),
		},
		{
			Slug: "hand-in-hand-support-calls", Name: "Hand in Hand Parenting support calls",
			Organization: "hand-in-hand-parenting", Program: "hand-in-hand-parenting",
			Description: "Support calls for parents and professionals using the Hand in Hand approach.",
			Needs:       []string{"parenting-support"},
			Areas:       []areaSpec{{Kind: servicearea.KindONLINE, Name: "Online"}},
			origin: fromNote("The seed lists \"support calls\" without saying how they are made (its other calls are part of internet-based "+
				"courses), so no delivery mode is given: a family that asks for one is told to confirm it. Reachable from anywhere (ONLINE "+
				"area); no phone number is given.", docAMCHP),
		},
	},

	Fundings: []fundingSpec{
		{
			Slug: "pritzker-model-convening-project", Source: "Pritzker Children's Initiative", Funder: "pritzker-childrens-initiative",
			Organization: "model-convening-project",
			Description:  "The Model Convening Project is a multi-year initiative with leadership and facilitation from ZERO TO THREE and funding from the Pritzker Children's Initiative.",
			origin:       from(docFramework),
		},
		{
			Slug: "hrsa-strengthening-families-policy-framework", Funder: "hrsa",
			Source:   "Health Resources and Services Administration (HRSA) of the U.S. Department of Health and Human Services (HHS)",
			Resource: "strengthening-families-policy-framework",
			Description: "This framework was made possible through the support of the Health Resources and Services Administration (HRSA) of the U.S. " +
				"Department of Health and Human Services (HHS) as part of an award totaling $19,581,161, with 0 percent financed from " +
				"non-governmental sources.",
			origin: fromNote("No amountUsd: the $19,581,161 is the whole award, of which the framework is one part, and the seed gives "+
				"neither the framework's share nor the award's recipient.", docPolicy),
		},
		{
			Slug: "ballmer-safe-babies", Source: "Ballmer Group", Funder: "ballmer-group",
			Organization: "zero-to-three", Program: "safe-babies",
			Description: "ZERO TO THREE deeply appreciates Ballmer Group for its generous support of our work to scale the Safe Babies approach.",
			origin:      fromNote("Recorded as funding ZERO TO THREE (the recipient) for the Safe Babies program; no amount is given.", docPolicy),
		},
	},
}
