/**
 * Name and place lists for the regions where OpenMRS is deployed, so that seeded patients look like
 * the people searched for in real clinics: searches by common family names return many hits, rare
 * ones few, and names carry the accents and compound forms the search must cope with.
 * Region weights roughly follow where the large OpenMRS installations are (Kenya's AMPATH and KenyaEMR
 * first). Countries whose naming differs from the rest of their region carry their own lists.
 */

export interface Place {
  city: string;
  province: string;
}

export interface NameLists {
  female: readonly string[];
  male: readonly string[];
  family: readonly string[];
}

export interface Country {
  name: string;
  weight: number;
  /** Postal code pattern: '#' is a digit; empty when the country has no postal codes in use. */
  postal: string;
  places: readonly Place[];
  /** Share of people who carry a second (maternal) family name. */
  family2Rate: number;
  names?: NameLists;
}

export interface Region extends NameLists {
  name: string;
  weight: number;
  /** Share of people registered with a middle name. */
  middleRate: number;
  countries: readonly Country[];
}

const list = (s: string): readonly string[] => s.trim().split(/\s*,\s*/);
const places = (s: string): readonly Place[] =>
  list(s).map((p) => {
    const [city = p, province = p] = p.split('/');
    return { city, province };
  });

const eastAfrica: Region = {
  name: 'East Africa',
  weight: 30,
  middleRate: 0.45,
  female: list(`Achieng, Akinyi, Atieno, Awino, Adhiambo, Anyango, Wanjiru, Wambui, Njeri, Wanjiku, Nyambura,
    Wairimu, Chebet, Jepkosgei, Jeptoo, Chepkoech, Jerop, Nakato, Namubiru, Nansubuga, Nabirye, Auma, Uwase,
    Mukamana, Uwimana, Ingabire, Mutoni, Neema, Rehema, Zawadi, Imani, Amina, Mwajuma, Halima, Faith, Mercy,
    Grace, Esther, Joyce, Winnie, Brenda`),
  male: list(`Otieno, Ochieng, Odhiambo, Omondi, Onyango, Kamau, Mwangi, Njoroge, Kariuki, Kimani, Kiprono,
    Kipchoge, Kiplagat, Cheruiyot, Kibet, Rotich, Ssebunya, Mukasa, Kato, Waiswa, Okello, Opio, Mugisha,
    Habimana, Niyonzima, Nshimiyimana, Hakizimana, Juma, Baraka, Hamisi, Rashidi, Bakari, Daudi, Emmanuel,
    Joseph, Peter, Samuel, Dennis, Kennedy, Brian, Collins`),
  family: list(`Otieno, Ochieng, Odhiambo, Omondi, Onyango, Owino, Okoth, Oduor, Wafula, Wekesa, Barasa,
    Wanyama, Simiyu, Kamau, Mwangi, Njoroge, Kariuki, Kimani, Gitau, Macharia, Mutua, Musyoka, Kiprono,
    Kipchoge, Rotich, Cheruiyot, Kiprotich, Koech, Kosgei, Langat, Mukasa, Ssemwanga, Nsubuga, Kato, Okello,
    Opio, Mugisha, Tumusiime, Byaruhanga, Ainembabazi, Habimana, Niyonzima, Nshimiyimana, Uwimana, Mukamana,
    Hakizimana, Ndayisaba, Mushi, Massawe, Mollel, Kimaro, Lyimo, Swai, Mrema, Mwakyusa, Mbwambo, Juma,
    Hassan, Salim, Mohamed`),
  countries: [
    { name: 'Kenya', weight: 55, postal: '#####', family2Rate: 0, places: places(`Eldoret/Uasin Gishu,
      Burnt Forest/Uasin Gishu, Turbo/Uasin Gishu, Mosoriot/Nandi, Kapsabet/Nandi, Webuye/Bungoma,
      Kitale/Trans Nzoia, Busia/Busia, Kisumu/Kisumu, Nairobi/Nairobi, Nakuru/Nakuru, Mombasa/Mombasa`) },
    { name: 'Uganda', weight: 20, postal: '', family2Rate: 0, places: places(`Kampala/Central, Mbarara/Western,
      Gulu/Northern, Mbale/Eastern, Lira/Northern, Masaka/Central, Fort Portal/Western`) },
    { name: 'Rwanda', weight: 12, postal: '', family2Rate: 0, places: places(`Kigali/Kigali, Butaro/Northern,
      Rwinkwavu/Eastern, Kirehe/Eastern, Musanze/Northern, Huye/Southern, Rubavu/Western`) },
    { name: 'Tanzania', weight: 13, postal: '#####', family2Rate: 0, places: places(`Dar es Salaam/Dar es Salaam,
      Moshi/Kilimanjaro, Arusha/Arusha, Mwanza/Mwanza, Dodoma/Dodoma, Mbeya/Mbeya`) },
  ],
};

const westAfrica: Region = {
  name: 'West Africa',
  weight: 15,
  middleRate: 0.4,
  female: list(`Adaeze, Chiamaka, Ngozi, Nkechi, Ifeoma, Chinwe, Amaka, Uchenna, Funmilayo, Folake, Yetunde,
    Adebola, Bukola, Titilayo, Aisha, Fatima, Hauwa, Zainab, Hadiza, Akosua, Ama, Abena, Adwoa, Afua, Efua,
    Yaa, Akua, Esi, Mariama, Isatu, Fatmata, Kadiatu, Aminata, Hawa, Musu, Comfort, Patience, Blessing, Gifty,
    Precious`),
  male: list(`Chukwuemeka, Chinedu, Obinna, Ikenna, Emeka, Nnamdi, Uchechukwu, Oluwaseun, Adebayo, Babatunde,
    Olumide, Oluwafemi, Tunde, Segun, Ibrahim, Musa, Abubakar, Usman, Sani, Kwame, Kwabena, Kofi, Kwaku, Yaw,
    Kojo, Kwesi, Kobina, Mohamed, Alhaji, Sorie, Foday, Sahr, Momodu, Augustine, Prince, Emmanuel, Samuel,
    Daniel, Godfred, Ebenezer`),
  family: list(`Okafor, Okonkwo, Eze, Nwosu, Obi, Nwankwo, Chukwu, Okeke, Onyeka, Uche, Adeyemi, Adebayo,
    Ogunleye, Oladipo, Afolabi, Balogun, Adewale, Olawale, Bello, Abdullahi, Mohammed, Suleiman, Garba, Yusuf,
    Danjuma, Mensah, Owusu, Boateng, Asante, Osei, Appiah, Agyeman, Darko, Amoah, Ofori, Acheampong, Addo,
    Tetteh, Quaye, Annan, Kamara, Sesay, Conteh, Koroma, Bangura, Turay, Kargbo, Jalloh, Mansaray, Fofanah,
    Kallon, Johnson, Kollie, Kpoto, Flomo, Doe, Tarr, Wesseh, Gbessay, Sirleaf`),
  countries: [
    { name: 'Nigeria', weight: 45, postal: '######', family2Rate: 0, places: places(`Lagos/Lagos, Ibadan/Oyo,
      Abuja/FCT, Kano/Kano, Enugu/Enugu, Jos/Plateau, Benin City/Edo, Port Harcourt/Rivers`) },
    { name: 'Ghana', weight: 25, postal: '', family2Rate: 0, places: places(`Accra/Greater Accra,
      Kumasi/Ashanti, Tamale/Northern, Cape Coast/Central, Ho/Volta, Sunyani/Bono`) },
    { name: 'Sierra Leone', weight: 18, postal: '', family2Rate: 0, places: places(`Freetown/Western Area,
      Koidu/Eastern, Kono/Eastern, Bo/Southern, Kenema/Eastern, Makeni/Northern`) },
    { name: 'Liberia', weight: 12, postal: '####', family2Rate: 0, places: places(`Monrovia/Montserrado,
      Harper/Maryland, Pleebo/Maryland, Gbarnga/Bong, Buchanan/Grand Bassa, Zwedru/Grand Gedeh`) },
  ],
};

const southernAfrica: Region = {
  name: 'Southern Africa',
  weight: 15,
  middleRate: 0.3,
  female: list(`Chikondi, Chimwemwe, Thokozani, Tiwonge, Mphatso, Tamanda, Alinafe, Takondwa, Chisomo,
    Madalitso, Tawonga, Yamikani, Lusungu, Thandiwe, Dalitso, Atupele, Esnart, Ethel, Loveness, Memory, Agnes,
    Fanny, Palesa, Lineo, Mpho, Nthabiseng, Lerato, Limpho, Mamello, Puleng, Refiloe, Itumeleng, Ana, Maria,
    Luísa, Rosa, Celeste, Joana, Graça, Fátima`),
  male: list(`Kondwani, Limbani, Chikumbutso, Blessings, Innocent, Gift, Yohane, Mavuto, Chifundo, Pemphero,
    Wongani, Mayeso, Lusayo, Mwayi, Felix, Thabo, Teboho, Tumelo, Lehlohonolo, Katleho, Tsepo, Motlatsi,
    Thato, Neo, Bokang, Retselisitsoe, João, José, Manuel, Armando, Carlos, Fernando, Alberto, Domingos,
    Ernesto, Celso, Júlio, Lourenço, Francisco, Samuel`),
  family: list(`Banda, Phiri, Mwale, Tembo, Chirwa, Kumwenda, Nyirenda, Gondwe, Mvula, Zulu, Mbewe, Chisale,
    Kamanga, Msiska, Mkandawire, Kalua, Chimwaza, Moyo, Ngwira, Kachingwe, Mhango, Lungu, Munthali, Mponda,
    Mussa, Saidi, Jere, Soko, Mokoena, Mohapi, Molapo, Letsie, Mofokeng, Nthako, Sekhonyana, Ramakatsa,
    Makhetha, Lerotholi, Tau, Khoabane, Phafoli, Mokhothu, Machava, Cossa, Mondlane, Sitoe, Tembe, Mabunda,
    Nhantumbo, Macuácua, Chissano, Guambe, Muianga, Langa, Matsinhe, Cumbe, Mucavele, Sambo, Bila, Manhiça`),
  countries: [
    { name: 'Malawi', weight: 50, postal: '', family2Rate: 0, places: places(`Lilongwe/Central, Blantyre/Southern,
      Neno/Southern, Zomba/Southern, Mzuzu/Northern, Kasungu/Central, Mangochi/Southern, Salima/Central`) },
    { name: 'Mozambique', weight: 30, postal: '####', family2Rate: 0, places: places(`Maputo/Maputo,
      Beira/Sofala, Nampula/Nampula, Chimoio/Manica, Quelimane/Zambézia, Xai-Xai/Gaza`) },
    { name: 'Lesotho', weight: 20, postal: '###', family2Rate: 0, places: places(`Maseru/Maseru, Leribe/Leribe,
      Mafeteng/Mafeteng, Mohale's Hoek/Mohale's Hoek, Butha-Buthe/Butha-Buthe, Thaba-Tseka/Thaba-Tseka`) },
  ],
};

const southAsia: Region = {
  name: 'South Asia',
  weight: 15,
  middleRate: 0.25,
  female: list(`Priya, Anjali, Sunita, Kavita, Pooja, Neha, Lakshmi, Meena, Geeta, Rekha, Sita, Radha, Anita,
    Savita, Deepa, Kamala, Shanti, Usha, Asha, Manju, Parvati, Sarita, Sushila, Sabitri, Kopila, Laxmi, Mina,
    Sarala, Bimala, Durga, Fatema, Nasrin, Shirin, Rupa, Taslima, Nargis, Rahima, Shahana, Sultana, Farida`),
  male: list(`Rajesh, Suresh, Ramesh, Mahesh, Amit, Anil, Sunil, Vijay, Sanjay, Ravi, Arun, Deepak, Manoj,
    Rahul, Ashok, Prakash, Ganesh, Krishna, Raju, Mohan, Ram, Hari, Bishnu, Binod, Bikash, Dipendra, Gopal,
    Santosh, Nabin, Mohammad, Abdul, Rahim, Karim, Jahangir, Rafiqul, Shafiqul, Aminul, Habibur, Mizanur, Anwar`),
  family: list(`Kumar, Sharma, Singh, Verma, Gupta, Yadav, Patel, Shah, Reddy, Rao, Naidu, Nair, Menon, Pillai,
    Iyer, Das, Mishra, Pandey, Tiwari, Chauhan, Jadhav, Patil, Kulkarni, Desai, Joshi, Mehta, Thakur, Chaudhary,
    Banerjee, Mukherjee, Ghosh, Bose, Roy, Shrestha, Gurung, Tamang, Magar, Rai, Limbu, Thapa, Karki, Adhikari,
    Bhattarai, Poudel, Khadka, Basnet, Sherpa, Rana, Rahman, Hossain, Islam, Ahmed, Uddin, Akter, Begum, Khatun,
    Chowdhury, Sarker, Mia, Hasan`),
  countries: [
    { name: 'India', weight: 55, postal: '######', family2Rate: 0, places: places(`Mumbai/Maharashtra,
      Pune/Maharashtra, Delhi/Delhi, Lucknow/Uttar Pradesh, Chennai/Tamil Nadu, Bengaluru/Karnataka,
      Hyderabad/Telangana, Kolkata/West Bengal, Patna/Bihar, Jaipur/Rajasthan`) },
    { name: 'Nepal', weight: 25, postal: '#####', family2Rate: 0, places: places(`Kathmandu/Bagmati,
      Achham/Sudurpashchim, Sanfebagar/Sudurpashchim, Pokhara/Gandaki, Biratnagar/Koshi, Nepalgunj/Lumbini,
      Dolakha/Bagmati`) },
    { name: 'Bangladesh', weight: 20, postal: '####', family2Rate: 0, places: places(`Dhaka/Dhaka,
      Chattogram/Chattogram, Khulna/Khulna, Rajshahi/Rajshahi, Sylhet/Sylhet, Cox's Bazar/Chattogram`) },
  ],
};

const haiti: NameLists = {
  female: list(`Marie, Nadège, Mirlande, Fabiola, Guerline, Rose-Marie, Jesula, Wideline, Magalie, Évelyne,
    Lovely, Nathalie, Roseline, Ketly, Manoucheka, Darline, Myrlande, Sonia, Judith, Marjorie`),
  male: list(`Jean, Pierre, Jean-Baptiste, Jean-Claude, Wilson, Frantz, Stanley, Emmanuel, Jonas, Ronald, Yves,
    Fritzner, Dieudonné, Lionel, Wesner, Jocelyn, Ricot, Junior, Evens, Wilner`),
  family: list(`Jean-Baptiste, Joseph, Pierre, Louis, Charles, Saint-Fleur, Dorvil, Désir, Augustin, Célestin,
    Pierre-Louis, Toussaint, Jean-Louis, Exantus, Dorsainvil, Jean-Pierre, François, Michel, Noël, Étienne,
    Delva, Paul, Alexis, Baptiste, Saint-Louis`),
};

const latinAmerica: Region = {
  name: 'Latin America',
  weight: 15,
  middleRate: 0.35,
  female: list(`María, Guadalupe, Juana, Rosa, Ana, Carmen, Sofía, Lucía, Isabel, Verónica, Patricia, Gabriela,
    Fernanda, Daniela, Alejandra, Mariana, Yesenia, Elena, Luz, Marisol, Flor, Rocío, Silvia, Norma, Leticia,
    Claudia, Sandra, Esperanza, Micaela, Beatriz, Dolores, Josefina, Margarita, Teresa, Adriana, Paola, Karla,
    Yolanda, Marta, Olga`),
  male: list(`José, Juan, Luis, Carlos, Jorge, Miguel, Pedro, Francisco, Manuel, Jesús, Antonio, Alejandro,
    Fernando, Ricardo, Eduardo, Roberto, Raúl, Héctor, Javier, Santiago, Mateo, Diego, Edwin, Wilmer, Marvin,
    Byron, Elmer, Walter, Óscar, Sergio, Rubén, Mario, Julio, Andrés, Víctor, Hugo, Gerardo, Armando, Efraín,
    Ángel`),
  family: list(`García, Hernández, López, Martínez, González, Pérez, Rodríguez, Sánchez, Ramírez, Flores,
    Torres, Rivera, Gómez, Díaz, Cruz, Morales, Reyes, Gutiérrez, Ortiz, Chávez, Ramos, Mendoza, Vásquez,
    Castillo, Jiménez, Ruiz, Álvarez, Romero, Herrera, Medina, Quispe, Mamani, Huamán, Condori, Choque, Apaza,
    Ticona, Vargas, Rojas, Cortez, Xol, Caal, Choc, Pop, Tzoc, Ixcoy, Tzul, Cux, Ajú, Coc, Aguilar, Castro,
    Navarro, Salazar, Espinoza, Velásquez, De la Cruz, Santiago, Domínguez, Cano`),
  countries: [
    { name: 'Haiti', weight: 30, postal: 'HT####', family2Rate: 0, names: haiti, places: places(`Port-au-Prince/Ouest,
      Mirebalais/Centre, Cange/Centre, Hinche/Centre, Saint-Marc/Artibonite, Cap-Haïtien/Nord, Les Cayes/Sud`) },
    { name: 'Peru', weight: 25, postal: '#####', family2Rate: 0.7, places: places(`Lima/Lima, Carabayllo/Lima,
      Cusco/Cusco, Arequipa/Arequipa, Trujillo/La Libertad, Puno/Puno, Iquitos/Loreto`) },
    { name: 'Guatemala', weight: 20, postal: '#####', family2Rate: 0.6, places: places(`Guatemala City/Guatemala,
      Quetzaltenango/Quetzaltenango, Cobán/Alta Verapaz, Tecpán/Chimaltenango, Antigua/Sacatepéquez,
      Huehuetenango/Huehuetenango`) },
    { name: 'Mexico', weight: 25, postal: '#####', family2Rate: 0.7, places: places(`Ciudad de México/CDMX,
      Jaltenango/Chiapas, San Cristóbal de las Casas/Chiapas, Oaxaca/Oaxaca, Puebla/Puebla,
      Guadalajara/Jalisco, Mérida/Yucatán`) },
  ],
};

const cambodia: NameLists = {
  female: list(`Sokha, Sophea, Chanthou, Sreymom, Sreyleak, Bopha, Channary, Kunthea, Leakena, Malis, Phalla,
    Rathana, Sokunthea, Thida, Vanna, Chenda, Sothea, Kanha, Sreypov, Pisey`),
  male: list(`Dara, Vichet, Sopheak, Rithy, Bunthoeun, Chanthy, Sovann, Vannak, Veasna, Samnang, Sophal,
    Kosal, Piseth, Ratanak, Rith, Virak, Narith, Borey, Sambath, Chamroeun`),
  family: list(`Sok, Chan, Kim, Lim, Heng, Meas, Chea, Ly, Keo, Seng, Sam, Pich, Hun, Prak, Nhem, Ouk, Sar, Sin,
    Som, Phan, Mao, Nuon, Long, Yim, Touch, Chhay, Khieu, Ros, Ek, Pen`),
};

const southeastAsia: Region = {
  name: 'Southeast Asia',
  weight: 10,
  middleRate: 0.5,
  female: list(`Maria, Ana, Rosario, Josefina, Cristina, Liza, Marites, Jocelyn, Maricel, Rowena, Jennifer,
    Grace, Rhea, Kristine, Angelica, Joy, Charmaine, Princess, Lorna, Analyn, Mylene, Divina, Editha, Luzviminda,
    Teresita, Remedios, Imelda, Corazon, Aileen, Sheila, Janine, Hazel, Camille, Rachelle, Mae, Arlene, Gemma,
    Leonora, Nenita, Evangeline`),
  male: list(`Jose, Juan, Mark, Paulo, Rodel, Ramon, Eduardo, Reynaldo, Rogelio, Danilo, Arnel, Jomar, Jericho,
    Christian, Noel, Ronaldo, Renato, Jerome, Rommel, Efren, Ernesto, Romeo, Rodrigo, Benigno, Ferdinand, Joel,
    Allan, Dennis, Raymond, Jayson, Marlon, Roberto, Ariel, Nestor, Wilfredo, Bernardo, Dante, Teodoro,
    Virgilio, Emmanuel`),
  family: list(`Santos, Reyes, Cruz, Bautista, Ocampo, Garcia, Mendoza, Torres, Tomas, Andrada, Castillo,
    Flores, Villanueva, Ramos, Castro, Rivera, Aquino, Navarro, Salazar, Mercado, Dela Cruz, De Leon,
    Del Rosario, Manalo, Dizon, Pascual, Soriano, Gonzales, Lopez, Aguilar, Magbanua, Macapagal, Dimaculangan,
    Panganiban, Lacson, Tolentino, Valdez, Fernandez, Gutierrez, Morales, Domingo, Sison, Galang, Cabrera,
    Santiago, Marquez, Padilla, Enriquez, Agustin, Salvador, Buenaventura, Lim, Tan, Sy, Co, Ong, Estrada,
    Manalastas, Evangelista, Abad`),
  countries: [
    { name: 'Philippines', weight: 65, postal: '####', family2Rate: 0, places: places(`Manila/Metro Manila,
      Quezon City/Metro Manila, Cebu City/Cebu, Davao City/Davao del Sur, Iloilo City/Iloilo,
      Cagayan de Oro/Misamis Oriental, Baguio/Benguet`) },
    { name: 'Cambodia', weight: 35, postal: '#####', family2Rate: 0, names: cambodia, places: places(`Phnom Penh/Phnom Penh,
      Siem Reap/Siem Reap, Battambang/Battambang, Kampong Cham/Kampong Cham, Takeo/Takeo, Kampot/Kampot`) },
  ],
};

export const REGIONS: readonly Region[] = [eastAfrica, westAfrica, southernAfrica, southAsia, latinAmerica, southeastAsia];

/** Street-level first address lines; the number is filled in by the generator. */
export const ADDRESS_FORMS: readonly string[] = list(`Plot #, House #, P.O. Box #, Block # Market Road,
  # Hospital Road, # Church Street, # Station Road, # Main Street, Near Primary School #`);
